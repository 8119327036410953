using System.Diagnostics;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.Logging;
using Orleans.Concurrency;
using Serving.Contracts;
using Serving.Cluster.Placement;
using Serving.Cluster.Routing;

namespace Serving.Cluster.Grains;

/// <summary>
/// Knows the workers (from their heartbeats), keeps only those whose silo is active and who reported recently,
/// and assigns each request a decode worker and a prefill worker — or a mixed worker when there is no P/D pair.
/// </summary>
[Reentrant]
internal sealed partial class RouterGrain(IClusterMembershipService membership, RoutingOptions options, TimeProvider time, ILogger<RouterGrain> logger, IMeterFactory meters)
    : Grain, IRouterGrain
{
    public const string MeterName = "Serving.Cluster";

    readonly Dictionary<string, WorkerState> workers = [];
    readonly IAssignmentPolicy prefillPolicy = AssignmentPolicies.Create(options.Policy, options);
    readonly IAssignmentPolicy decodePolicy = AssignmentPolicies.Create(options.Policy, options);
    readonly Counter<long> decisions = meters.Create(MeterName).CreateCounter<long>("serving.router.decisions", "{decision}",
        "Workers chosen by the router, by role (prefill, decode, mixed) and reason: cache_hit (the chosen worker's prefix cache holds part of the prompt) or load.");
    int shortPromptThreshold = options.ShortPromptThreshold;
    long assignments;
    DateTimeOffset activatedAt;

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        activatedAt = time.GetUtcNow();
        return Task.CompletedTask;
    }

    public Task Report(WorkerInfo worker, WorkerLoadReport load)
    {
        if (!workers.TryGetValue(worker.WorkerId, out var state))
        {
            workers[worker.WorkerId] = state = new WorkerState(worker);
            Log.Registered(logger, worker.WorkerId, worker.Role, worker.KvAddress);
        }
        var now = time.GetUtcNow().UtcDateTime;
        if (state.LastReport == default || load.Iterations != state.Load.Iterations || !load.Busy)
            state.ProgressAt = now;
        state.Info = worker;
        state.Load = load;
        if (worker.Leaving)
            MarkLeaving(state);
        state.LastReport = now;
        var stuck = now - state.ProgressAt > options.StallTimeout;
        if (stuck != state.Stuck)
        {
            state.Stuck = stuck;
            if (stuck)
                Log.Stuck(logger, worker.WorkerId, (now - state.ProgressAt).TotalSeconds, load.Waiting + load.Running);
            else
                Log.Unstuck(logger, worker.WorkerId);
        }
        state.AssignedSinceReport = 0;
        state.AssignedPrefillTokensSinceReport = 0;
        state.AssignedKvTokensSinceReport = 0;
        if (state.DrainingTo == worker.Role)
        {
            state.DrainingTo = null;
            Log.Switched(logger, worker.WorkerId, worker.Role);
        }
        // Still reporting well after a failed request: the failure was the request's, not the worker's.
        if (state.SuspectSince is { } since && !state.Stuck && state.LastReport - since > SuspicionPeriod)
        {
            state.SuspectSince = null;
            Log.Cleared(logger, worker.WorkerId);
        }
        return Task.CompletedTask;
    }

    public Task<bool> ReportCache(string workerId, CachedBlocksUpdate update)
    {
        if (!workers.TryGetValue(workerId, out var state))
            return Task.FromResult(false);
        if (update.Snapshot)
        {
            state.CachedBlocks.Clear();
            state.CachedBlocks.UnionWith(update.Added);
            state.CacheEpoch = update.Epoch;
            return Task.FromResult(true);
        }
        // A delta applies only on top of the same pool's index; anything else asks for a snapshot.
        if (state.CacheEpoch != update.Epoch)
            return Task.FromResult(false);
        state.CachedBlocks.ExceptWith(update.Removed);
        state.CachedBlocks.UnionWith(update.Added);
        return Task.FromResult(true);
    }

    public Task Remove(string workerId)
    {
        if (workers.Remove(workerId))
            Log.Removed(logger, workerId);
        return Task.CompletedTask;
    }

    public Task Leave(string workerId)
    {
        if (workers.TryGetValue(workerId, out var state))
            MarkLeaving(state);
        return Task.CompletedTask;
    }

    void MarkLeaving(WorkerState state)
    {
        if (state.Leaving)
            return;
        state.Leaving = true;
        Log.Leaving(logger, state.Info.WorkerId, state.Load.Waiting + state.Load.Running + state.Load.Importing);
    }

    public Task Failed(string workerId)
    {
        if (!workers.TryGetValue(workerId, out var state))
            return Task.CompletedTask;
        var now = time.GetUtcNow().UtcDateTime;
        if (state.SuspectSince is null)
        {
            state.SuspectSince = now;
            Log.Suspected(logger, workerId);
        }
        state.Failures.Enqueue(now);
        while (state.Failures.Peek() < now - options.BreakerWindow)
            state.Failures.Dequeue();
        if (state.Failures.Count >= options.BreakerFailures && !Broken(state, now))
        {
            state.BrokenUntil = now + options.BreakerCooldown;
            state.Failures.Clear();
            Log.Broken(logger, workerId, options.BreakerFailures, options.BreakerWindow.TotalSeconds, options.BreakerCooldown.TotalSeconds);
        }
        return Task.CompletedTask;
    }

    static bool Broken(WorkerState state, DateTime now) => state.BrokenUntil > now;

    public Task Drain(string workerId, WorkerRole role, TimeSpan timeout)
    {
        if (!workers.TryGetValue(workerId, out var state))
            return Task.CompletedTask;
        if (state.Info.Role != role)
        {
            state.DrainingTo = role;
            state.DrainDeadline = time.GetUtcNow().UtcDateTime + timeout + DrainGrace;
            Log.Draining(logger, workerId, state.Info.Role, role);
        }
        else if (state.DrainingTo is { } was)
        {
            state.DrainingTo = null;
            Log.DrainCancelled(logger, workerId, was, role);
        }
        return Task.CompletedTask;
    }

    public Task SetShortPromptThreshold(int tokens)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(tokens);
        if (tokens != shortPromptThreshold)
            Log.Threshold(logger, tokens);
        shortPromptThreshold = tokens;
        return Task.CompletedTask;
    }

    public Task<int> ShortPromptThreshold() => Task.FromResult(shortPromptThreshold);

    public Task<Assignment> Assign(int promptTokens) => AssignAsync(new RoutingPrompt(promptTokens));

    public Task<Assignment> AssignPrompt(IReadOnlyList<int> tokens) => AssignAsync(new RoutingPrompt(tokens));

    async Task<Assignment> AssignAsync(RoutingPrompt prompt)
    {
        // A router activated moments ago knows no worker yet: the cluster has just started, or the silo it lived on
        // stopped (a drained process leaving) and it moved. The workers' next heartbeats (every 250 ms) tell it:
        // wait for them rather than refuse the request.
        while (true)
        {
            try
            {
                return TryAssign(prompt);
            }
            catch (NoWorkersException) when (time.GetUtcNow() - activatedAt < options.LearningPeriod)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(50), time);
            }
        }
    }

    Assignment TryAssign(RoutingPrompt prompt)
    {
        var now = time.GetUtcNow().UtcDateTime;
        // A worker whose process is shutting down gets nothing new, even as the last of its role; nor does one whose
        // engine is stuck.
        var live = Live().Where(w => !w.Leaving && !w.Stuck).ToList();
        foreach (var w in live.Where(w => w.DrainingTo is not null && now > w.DrainDeadline))
        {
            Log.DrainExpired(logger, w.Info.WorkerId, w.DrainingTo!.Value, w.Info.Role);
            w.DrainingTo = null;
        }
        // A draining prefill worker gets no new prompts (decode workers can prefill locally), nor does one in doubt
        // (failing, its breaker open); a draining decode or mixed worker only when no other worker can decode.
        var prefills = live.Where(w => w.Info.Role == WorkerRole.Prefill && w.DrainingTo is null && w.SuspectSince is null && !Broken(w, now)).ToList();
        var decoding = live.Where(w => w.Info.Role != WorkerRole.Prefill).ToList();
        if (decoding.Any(w => w.DrainingTo is null))
            decoding.RemoveAll(w => w.DrainingTo is not null);
        var decodes = Candidates(decoding, WorkerRole.Decode, now);
        var mixed = Candidates(decoding, WorkerRole.Mixed, now);

        Assignment assignment;
        if (prefills.Count > 0 && decodes.Count > 0)
        {
            var decode = decodePolicy.Choose(decodes, prompt);
            // A prompt short enough to prefill where it decodes skips the prefill pool; with a policy that weighs the
            // caches, what counts is the part the decode worker does not hold (llm-d's decider).
            var work = decodePolicy.WeighsCache ? prompt.UncachedTokens(decode) : prompt.Tokens;
            if (work > shortPromptThreshold)
            {
                var prefill = prefillPolicy.Choose(prefills, prompt);
                // The prefill worker computes what its cache lacks; the decode worker receives KV, it computes nothing.
                Given(prefill, prompt, prefillTokens: prompt.UncachedTokens(prefill), kvTokens: 0);
                Given(decode, prompt, prefillTokens: 0, kvTokens: prompt.Tokens);
                assignment = new Assignment(decode.Info.WorkerId, prefill.Info.WorkerId, prefill.Info.KvAddress);
            }
            else
            {
                Given(decode, prompt, prefillTokens: prompt.UncachedTokens(decode), kvTokens: prompt.Tokens);
                assignment = new Assignment(decode.Info.WorkerId, null);
            }
        }
        else if (mixed.Count > 0 || decodes.Count > 0)
        {
            // No P/D pair: a mixed worker, or a decode worker prefilling locally.
            var worker = decodePolicy.Choose(mixed.Count > 0 ? mixed : decodes, prompt);
            Given(worker, prompt, prefillTokens: prompt.UncachedTokens(worker), kvTokens: prompt.Tokens);
            assignment = new Assignment(worker.Info.WorkerId, null);
        }
        else
            throw new NoWorkersException(live.Count == 0
                ? "no workers are up."
                : "no worker can decode: only prefill workers are up.");
        if (logger.IsEnabled(LogLevel.Debug))
            Log.Assigned(logger, prompt.Tokens, assignment.DecodeWorker, assignment.PrefillWorker ?? "(none)",
                string.Join("; ", decoding.Concat(prefills).Select(w => $"{w.Info.WorkerId}: cached {prompt.CachedTokens(w)}, queued {w.Load.PrefillTokens}+{w.AssignedPrefillTokensSinceReport}, KV {w.Load.UsedBlocks} blocks+{w.AssignedKvTokensSinceReport} tokens")));
        return assignment;
    }

    void Given(WorkerState worker, RoutingPrompt prompt, int prefillTokens, int kvTokens)
    {
        worker.AssignedSinceReport++;
        worker.AssignedPrefillTokensSinceReport += prefillTokens;
        worker.AssignedKvTokensSinceReport += kvTokens;
        worker.LastAssigned = ++assignments;
        var reason = prompt.CachedTokens(worker) > 0 ? "cache_hit" : "load";
        decisions.Add(1, new TagList { { "role", RoleName(worker.Info.Role) }, { "reason", reason } });
    }

    static string RoleName(WorkerRole role) => role switch
    {
        WorkerRole.Prefill => "prefill",
        WorkerRole.Decode => "decode",
        _ => "mixed",
    };

    public Task<WorkerStatus[]> Workers() => Task.FromResult(Live().Where(w => !w.Leaving).Select(w => new WorkerStatus(w.Info, w.Load)).ToArray());

    /// <summary>
    /// The workers of a role, leaving out those in doubt (a recent failure, an open breaker) unless they are all there
    /// is: a request that may fail is better than one refused.
    /// </summary>
    static List<WorkerState> Candidates(IEnumerable<WorkerState> workers, WorkerRole role, DateTime now)
    {
        var all = workers.Where(w => w.Info.Role == role).ToList();
        var trusted = all.Where(w => w.SuspectSince is null && !Broken(w, now)).ToList();
        if (trusted.Count > 0)
            return trusted;
        var closed = all.Where(w => !Broken(w, now)).ToList();
        return closed.Count > 0 ? closed : all;
    }

    List<WorkerState> Live()
    {
        // Dropped: a worker that stopped reporting, or whose silo membership knows to be dead or stopping. Not one
        // that merely is missing from this silo's view while it keeps reporting: after Redis lost the membership table
        // and a silo wrote it back, views catch up over a few refreshes, and dropping on absence made live workers
        // flap in and out of routing meanwhile (seen in the Redis restart test).
        var gone = membership.CurrentSnapshot.Members.Values
            .Where(m => m.Status is SiloStatus.Dead or SiloStatus.ShuttingDown or SiloStatus.Stopping)
            .Select(m => m.SiloAddress)
            .ToHashSet();
        var cutoff = time.GetUtcNow().UtcDateTime - options.WorkerTimeout;
        foreach (var stale in workers.Values.Where(w => w.LastReport < cutoff || gone.Contains(WorkerKey.Silo(w.Info.WorkerId))).ToList())
        {
            workers.Remove(stale.Info.WorkerId);
            Log.Dropped(logger, stale.Info.WorkerId);
        }
        return [.. workers.Values.OrderBy(w => w.Info.WorkerId, StringComparer.Ordinal)];
    }

    // Long enough for a dead process to miss several heartbeats (and be dropped), short enough to recover quickly.
    static readonly TimeSpan SuspicionPeriod = TimeSpan.FromSeconds(2);

    // Past a drain's own timeout: the worker's switch and its next heartbeat.
    static readonly TimeSpan DrainGrace = TimeSpan.FromSeconds(1);

    static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Information, Message = "Worker {WorkerId} is draining: no new {From} work; it becomes {To} once idle.")]
        public static partial void Draining(ILogger logger, string workerId, WorkerRole from, WorkerRole to);

        [LoggerMessage(Level = LogLevel.Information, Message = "Worker {WorkerId} is leaving (its process is shutting down): no new work; it holds {Held} requests.")]
        public static partial void Leaving(ILogger logger, string workerId, int held);

        [LoggerMessage(Level = LogLevel.Information, Message = "Worker {WorkerId} now reports as {Role}; back in routing.")]
        public static partial void Switched(ILogger logger, string workerId, WorkerRole role);

        [LoggerMessage(Level = LogLevel.Information, Message = "Prompts of up to {Tokens} tokens now prefill on their decode worker.")]
        public static partial void Threshold(ILogger logger, int tokens);

        [LoggerMessage(Level = LogLevel.Warning, Message = "Worker {WorkerId} is suspect after a failed request: new requests go to others of its role while there are any.")]
        public static partial void Suspected(ILogger logger, string workerId);

        [LoggerMessage(Level = LogLevel.Warning, Message = "Worker {WorkerId}: {Failures} failed requests within {Window} s; avoiding it for {Cooldown} s.")]
        public static partial void Broken(ILogger logger, string workerId, int failures, double window, double cooldown);

        [LoggerMessage(Level = LogLevel.Warning, Message = "Worker {WorkerId}'s engine has had {Work} request(s) but made no progress for {Seconds:0} s: out of routing until it moves.")]
        public static partial void Stuck(ILogger logger, string workerId, double seconds, int work);

        [LoggerMessage(Level = LogLevel.Information, Message = "Worker {WorkerId}'s engine is making progress again; back in routing.")]
        public static partial void Unstuck(ILogger logger, string workerId);

        [LoggerMessage(Level = LogLevel.Warning, Message = "Worker {WorkerId}'s switch to {To} was cancelled; it serves as {Role} again.")]
        public static partial void DrainCancelled(ILogger logger, string workerId, WorkerRole to, WorkerRole role);

        [LoggerMessage(Level = LogLevel.Warning, Message = "Worker {WorkerId} did not report its new role {To} in time; routing to it as {Role} again.")]
        public static partial void DrainExpired(ILogger logger, string workerId, WorkerRole to, WorkerRole role);

        [LoggerMessage(Level = LogLevel.Information, Message = "Worker {WorkerId} kept reporting after a failed request; back in routing.")]
        public static partial void Cleared(ILogger logger, string workerId);

        [LoggerMessage(Level = LogLevel.Information, Message = "Worker {WorkerId} joined as {Role}; KV at {KvAddress}.")]
        public static partial void Registered(ILogger logger, string workerId, WorkerRole role, string kvAddress);

        [LoggerMessage(Level = LogLevel.Debug, Message = "Assigned a prompt of {Tokens} tokens: decode {Decode}, prefill {Prefill}. Candidates: {Candidates}")]
        public static partial void Assigned(ILogger logger, int tokens, string decode, string prefill, string candidates);

        [LoggerMessage(Level = LogLevel.Information, Message = "Worker {WorkerId} left routing.")]
        public static partial void Removed(ILogger logger, string workerId);

        [LoggerMessage(Level = LogLevel.Warning, Message = "Worker {WorkerId} dropped from routing: its silo is down or it stopped reporting.")]
        public static partial void Dropped(ILogger logger, string workerId);
    }
}
