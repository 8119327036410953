namespace Serving.LoadTest.Soak;

/// <summary>One soak: the server, how long and how hard to load it, the faults to inject, and the limits the verdict holds it to.</summary>
internal sealed record SoakSettings
{
    public required SoakTargetSettings Target { get; init; }
    public required SoakMix Mix { get; init; }
    public SoakFaultSettings Faults { get; init; } = new();

    /// <summary>Load time, warm-up included (the checks run after it).</summary>
    public required TimeSpan Duration { get; init; }
    /// <summary>Load before the RSS baseline is taken: JIT, pools and caches grow here, and that is not a leak.</summary>
    public required TimeSpan WarmUp { get; init; }
    /// <summary>Requests in flight at once (closed loop: each client sends its next request when one ends).</summary>
    public int Concurrency { get; init; } = 8;
    public int Seed { get; init; }
    /// <summary>A request with no complete answer by then is a hang.</summary>
    public TimeSpan RequestDeadline { get; init; } = TimeSpan.FromSeconds(60);
    /// <summary>How long after the load the KV blocks may take to come back.</summary>
    public TimeSpan Settle { get; init; } = TimeSpan.FromSeconds(15);
    /// <summary>The most a server process's RSS may grow after warm-up, in percent.</summary>
    public double MaxRssGrowthPercent { get; init; } = 20;
    /// <summary>Of the well-formed requests the client did not cut off, the share that must complete.</summary>
    public double MinCompletedShare { get; init; } = 0.9;
    public TimeSpan RssInterval { get; init; } = TimeSpan.FromSeconds(2);

    public required string OutDir { get; init; }
    public bool Progress { get; init; } = true;
    public IReadOnlyList<string> CommandLine { get; init; } = [];
}
