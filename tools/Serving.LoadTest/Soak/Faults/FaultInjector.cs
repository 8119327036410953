using Serving.LoadTest.Soak.Target;

namespace Serving.LoadTest.Soak.Faults;

/// <summary>
/// Injects the faults the settings ask for while the load runs, each kind on its own loop at random times around its
/// interval (0.5× to 1.5×): kills of worker processes, and the kill and role-flip commands. A fault under way when
/// the load ends is finished, so the checks see the cluster recovered, not mid-restart.
/// </summary>
internal sealed class FaultInjector(SoakFaultSettings settings, ISoakTarget target, SoakClock clock, int seed)
{
    readonly Lock gate = new();
    readonly List<FaultRecord> faults = [];

    public IReadOnlyList<FaultRecord> Faults
    {
        get
        {
            lock (gate)
                return [.. faults.OrderBy(f => f.StartS)];
        }
    }

    /// <summary>Runs until <paramref name="loadEnded"/>; <paramref name="abort"/> stops a fault midway.</summary>
    public Task RunAsync(CancellationToken loadEnded, CancellationToken abort)
    {
        var loops = new List<Task>();
        if (settings.KillInterval is { } every && target.Killer is { } killer)
            loops.Add(LoopAsync(every, new Random(seed + 1), r => killer.KillAndRestartAsync(r, settings.RestartAfter, abort), loadEnded));
        if (settings.KillCommand is { } kill)
            loops.Add(LoopAsync(settings.KillCommandInterval, new Random(seed + 2), _ => ShellHook.RunAsync("kill-command", kill, target.BaseUrl, clock, abort), loadEnded));
        if (settings.RoleFlipCommand is { } flip)
            loops.Add(LoopAsync(settings.RoleFlipInterval, new Random(seed + 3), _ => ShellHook.RunAsync("role-flip-command", flip, target.BaseUrl, clock, abort), loadEnded));
        return Task.WhenAll(loops);
    }

    async Task LoopAsync(TimeSpan interval, Random random, Func<Random, Task<FaultRecord>> inject, CancellationToken loadEnded)
    {
        while (true)
        {
            try
            {
                await Task.Delay(interval * (0.5 + random.NextDouble()), loadEnded);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            var fault = await inject(random);
            lock (gate)
                faults.Add(fault);
        }
    }
}
