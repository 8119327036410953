using Serving.Tools.Shared;

namespace Serving.GatewayBench.Reporting;

/// <summary>Everything one run wrote: where, with what settings, every sample, and the summary.</summary>
internal sealed record GatewayBenchResults(
    MachineInfo Machine,
    double? LoadAverageEnd,
    double WallSeconds,
    IReadOnlyDictionary<string, string> Settings,
    Summary Summary,
    IReadOnlyList<LevelSample> Samples);
