using Serving.Planning.Model;

namespace Serving.Host.Profiling;

/// <summary>Everything the profiler timed on one engine, before fitting.</summary>
internal sealed record ProfileMeasurements(
    IReadOnlyList<PrefillPoint> Prefill,
    IReadOnlyList<DecodePoint> Decode,
    IReadOnlyList<LayerGroupPoint> LayerGroups,
    int Layers,
    double KvBytesPerToken);
