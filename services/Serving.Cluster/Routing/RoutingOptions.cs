namespace Serving.Cluster.Routing;

public sealed record RoutingOptions
{
    public string Policy { get; init; } = AssignmentPolicies.Default;

    /// <summary><c>prefix-aware</c>: the weight of a prompt token a worker would have to compute or receive (not in its prefix cache).</summary>
    public double PrefixCacheWeight { get; init; } = 1.0;

    /// <summary>The short-prompt threshold a router starts with (<see cref="Contracts.IRouterGrain.SetShortPromptThreshold"/> changes it; the runtime planner sets its own).</summary>
    public int ShortPromptThreshold { get; init; }

    /// <summary><c>prefix-aware</c>: the weight of a prompt token queued for prefill on a worker.</summary>
    public double PrefixQueueWeight { get; init; } = 1.0;

    /// <summary><c>prefix-aware</c>: the weight of a token of KV held by the running requests of a worker that decodes.</summary>
    public double PrefixKvWeight { get; init; } = 0.05;

    /// <summary>A worker that has not reported for this long is taken out of routing.</summary>
    public TimeSpan WorkerTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// How long a newly activated router waits for the workers' heartbeats before it refuses a request for want of
    /// workers (several heartbeat intervals).
    /// </summary>
    public TimeSpan LearningPeriod { get; init; } = TimeSpan.FromSeconds(1.5);

    /// <summary>A worker whose engine has work but whose loop has not moved for this long leaves routing until it moves.</summary>
    public TimeSpan StallTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Failed requests within <see cref="BreakerWindow"/> that open a worker's circuit breaker.</summary>
    public int BreakerFailures { get; init; } = 3;

    public TimeSpan BreakerWindow { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>How long a worker whose breaker opened is avoided.</summary>
    public TimeSpan BreakerCooldown { get; init; } = TimeSpan.FromSeconds(10);
}
