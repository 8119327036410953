using Serving.Tools.Shared;

namespace Serving.KvBench.Reporting;

/// <summary>Everything one run wrote: where, with what settings, every sample, and the summary.</summary>
internal sealed record KvBenchResults(
    MachineInfo Machine,
    double? LoadAverageEnd,
    double WallSeconds,
    IReadOnlyDictionary<string, string> Settings,
    Summary Summary,
    IReadOnlyList<ThroughputSample> ThroughputSamples,
    IReadOnlyList<ThroughputSample> CeilingSamples,
    IReadOnlyList<HandoffSample> HandoffSamples,
    IReadOnlyList<string> Checks);
