namespace Serving.Engine.DefaultModel;

/// <summary>Llama-3.1 style rope_scaling block of config.json.</summary>
public sealed record RopeScalingSpec(
    string RopeType = "llama3",
    double Factor = 8.0,
    double LowFreqFactor = 1.0,
    double HighFreqFactor = 4.0,
    int OriginalMaxPositionEmbeddings = 8192);
