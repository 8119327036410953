using Serving.Planning.Control;
using Serving.Planning.Model;
using Serving.Planning.Planner;
using Serving.Planning.Simulation;

namespace Serving.Cluster.Planner;

/// <summary>
/// The runtime planner's settings, the same in every process (any silo may host it). Without a profile it only
/// records observations: it needs the workers' latency model to simulate alternatives.
/// </summary>
public sealed record PlannerOptions
{
    /// <summary>The workers' latency model (from <c>serving profile</c>); null turns re-planning off.</summary>
    public WorkerProfile? Profile { get; init; }

    /// <summary>Where the profile came from, for the log.</summary>
    public string? ProfileSource { get; init; }

    /// <summary>Whether to re-plan periodically when a profile is given.</summary>
    public bool Enabled { get; init; } = true;

    public bool CanPlan => Enabled && Profile is not null;

    /// <summary>The objectives goodput counts against.</summary>
    public Slo Slo { get; init; } = new(1.0, 0.1);

    /// <summary>Share of requests that must meet the SLO.</summary>
    public double AttainmentTarget { get; init; } = 0.9;

    /// <summary>How often a re-planning round runs.</summary>
    public TimeSpan Interval { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Least time between two changes, whatever the rounds find (against flapping).</summary>
    public TimeSpan MinInterval { get; init; } = TimeSpan.FromSeconds(90);

    /// <summary>How far back the window of finished requests reaches.</summary>
    public TimeSpan Window { get; init; } = TimeSpan.FromSeconds(120);

    /// <summary>Most requests the window keeps (the newest).</summary>
    public int MaxWindowRequests { get; init; } = 2000;

    /// <summary>Finished requests the window must hold before a round decides anything.</summary>
    public int MinSamples { get; init; } = 30;

    /// <summary>A new setup must promise this much more goodput than the current one.</summary>
    public double Hysteresis { get; init; } = 0.15;

    /// <summary>How long a switching worker may take to finish its requests before it switches anyway (nothing is lost either way).</summary>
    public TimeSpan DrainTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>The knobs searched (P/D split, colocation, G, short-prompt threshold).</summary>
    public SearchSpace Space { get; init; } = new();

    /// <summary>The workers' prefill token budget per step (their engines' setting; not changed at runtime).</summary>
    public int MaxBatchedPrefillTokens { get; init; } = 4096;

    /// <summary>The workers' most sequences per batch (their engines' setting; not changed at runtime).</summary>
    public int MaxDecodeBatch { get; init; } = 64;

    /// <summary>The worker counts the planner asks for (serving_planner_desired_workers) serve the observed rate plus this share.</summary>
    public double ScaleHeadroom { get; init; } = 0.2;

    /// <summary>The decision settings of one round.</summary>
    public ControlSettings Control => new(Slo, AttainmentTarget, Hysteresis, MinSamples, Space: Space, ScaleHeadroom: ScaleHeadroom);
}
