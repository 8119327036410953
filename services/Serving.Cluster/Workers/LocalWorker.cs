using Serving.Contracts;
using Serving.Engine.Core;
using Serving.Worker.Roles;
using Serving.Worker.Runtime;
using Serving.Worker.Transfer;

namespace Serving.Cluster.Workers;

/// <summary>
/// A worker running in this process: its engine loop and the role logic around it. It has both the prefill and the
/// decode logic, so its role — what the router sends it — can change at runtime; a request that reaches it under its
/// old role is still served.
/// </summary>
/// <param name="applyTimeout">How long applying new engine settings may wait for the loop (a stuck loop never runs them).</param>
public sealed class LocalWorker(string key, WorkerRole role, EngineLoop loop, PrefillRole prefill, DecodeRole decode, ClusterEngineSettings cluster, TimeSpan applyTimeout)
{
    volatile WorkerRole role = role;
    // What its engine was last set to (written after the loop thread applied it): read here, never off the engine.
    volatile RoleEngineSettings engineSettings = RoleEngineSettings.For(role, cluster);
    volatile bool registered;
    volatile bool leaving;
    readonly CancellationTokenSource handover = new();
    // Cancelled while its engine loop is stuck; replaced (not reset) once the loop moves again, so a request that
    // starts afterwards is not cut by the old stall.
    volatile CancellationTokenSource stall = new();
    int inFlight;

    public string Key { get; } = key;
    public WorkerRole Role => role;
    public EngineLoop Loop { get; } = loop;
    public PrefillRole Prefill { get; } = prefill;
    public DecodeRole Decode { get; } = decode;
    public MixedRole Mixed { get; } = new(loop);
    public KvEndpoint Endpoint => Decode.Endpoint;

    /// <summary>G of its engine.</summary>
    public int LayerGroups => engineSettings.PrefillLayerGroups;

    /// <summary>The prefill settings its engine runs with now.</summary>
    public RoleEngineSettings EngineSettings => engineSettings;

    /// <summary>Tokens its KV cache holds.</summary>
    public long KvCapacityTokens => (long)Loop.Description.NumBlocks * Loop.Description.KvLayout.BlockSize;

    /// <summary>Whether the router has taken one of its heartbeats: it is in routing.</summary>
    public bool Registered => registered;

    /// <summary>Its process is shutting down: the router sends it nothing new while what it holds finishes.</summary>
    public bool Leaving => leaving;

    /// <summary>Cancelled when the drain time is over: what is still running here is handed back to be resumed elsewhere.</summary>
    public CancellationToken Handover => handover.Token;

    public void MarkRegistered() => registered = true;

    public void BeginLeaving() => leaving = true;

    public void HandOver() => handover.Cancel();

    /// <summary>Cancelled while its engine loop is stuck: the requests it serves then are given up (see <see cref="CheckStall"/>).</summary>
    public CancellationToken Stall => stall.Token;

    /// <summary>Whether its engine loop is stuck (as of the last <see cref="CheckStall"/>).</summary>
    public bool Stalled => stall.IsCancellationRequested;

    /// <summary>
    /// Looks at its engine loop. Stuck in one iteration for longer than <paramref name="limit"/> (a hung kernel, a
    /// deadlock), it gives up the requests it serves: their grain calls fail, so the gateways resume them elsewhere
    /// instead of waiting on a loop that may never return (the router stops sending it work from the same signs in
    /// its heartbeats). Moving again, it serves new requests. Returns whether the state changed.
    /// </summary>
    public bool CheckStall(TimeSpan limit)
    {
        var stuck = Loop.StuckFor(limit) is not null;
        if (stuck == Stalled)
            return false;
        if (stuck)
            stall.Cancel();
        else
            stall = new CancellationTokenSource();
        return true;
    }

    /// <summary>Whether it holds nothing: no grain call in flight, nothing queued, running or importing in its loop.</summary>
    public bool Idle => InFlight == 0 && Loop.Load is { Waiting: 0, Running: 0, Importing: 0 };

    /// <summary>Requests (generations and prefills) its grain is serving now.</summary>
    public int InFlight => Volatile.Read(ref inFlight);

    /// <summary>Counts a request served through this worker's grain until the returned scope is disposed.</summary>
    public InFlightScope Track()
    {
        Interlocked.Increment(ref inFlight);
        return new InFlightScope(this);
    }

    /// <summary>
    /// Waits until no request is in flight or queued here (or <paramref name="drainTimeout"/> passes), then takes the
    /// new role and layer groups, its engine set as <see cref="RoleEngineSettings.For"/> says (G applies to prompts it
    /// prefills beside decodes, unless the cluster runs chunked prefill).
    /// Returns whether it drained in time.
    /// </summary>
    public async Task<bool> ReconfigureAsync(WorkerRole newRole, int layerGroups, TimeSpan drainTimeout, CancellationToken cancellationToken = default)
    {
        var drained = true;
        if (newRole != role)
        {
            var deadline = DateTime.UtcNow + drainTimeout;
            while (!Idle)
            {
                if (DateTime.UtcNow >= deadline)
                {
                    drained = false;
                    break;
                }
                await Task.Delay(20, cancellationToken);
            }
        }
        var settings = RoleEngineSettings.For(newRole, cluster with { PrefillLayerGroups = Math.Min(layerGroups, Loop.Description.ModelConfig.NumLayers) });
        try
        {
            await Loop.InvokeAsync(settings.ApplyTo).WaitAsync(applyTimeout, cancellationToken);
        }
        catch
        {
            // Settings applied halfway, or still queued behind a stuck loop, would leave the engine matching neither
            // role: queue what it ran with after them (the loop runs commands in order, so it ends on these whenever
            // it runs them). The role does not change, and the caller (the planner) routes to it as before.
            _ = Loop.InvokeAsync(engineSettings.ApplyTo);
            throw;
        }
        engineSettings = settings;
        role = newRole;
        return drained;
    }

    public readonly struct InFlightScope(LocalWorker worker) : IDisposable
    {
        public void Dispose() => Interlocked.Decrement(ref worker.inFlight);
    }
}
