using Serving.Tools.Shared;

namespace Serving.Bench;

/// <summary>Everything one run writes to its JSON file.</summary>
internal sealed record BenchResults(
    MachineInfo Machine,
    int Threads,
    int Reps,
    int DecodeStepsPerRep,
    double? LoadAverageStart,
    double? LoadAverageEnd,
    double WallSeconds,
    string Model,
    Dictionary<string, string> Settings,
    Dictionary<string, double[]> DecodeContextStartEnd,
    List<Measurement> Measurements,
    List<Ratio> Ratios);
