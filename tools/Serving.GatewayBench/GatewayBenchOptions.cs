namespace Serving.GatewayBench;

/// <summary>Settings of one run, from the command line (<see cref="GatewayBenchCommand"/>); the server child gets what it needs on its own.</summary>
internal sealed record GatewayBenchOptions
{
    public int Reps { get; init; } = 3;
    /// <summary>Concurrent streams per level.</summary>
    public int[] Levels { get; init; } = [1, 64, 256, 1000, 2000];
    /// <summary>The fake engine's step time.</summary>
    public double IntervalMs { get; init; } = 20;
    /// <summary>Tokens per stream: long enough that every stream of the largest level is open at once.</summary>
    public int MaxTokens { get; init; } = 128;
    public string Out { get; init; } = Path.Combine("artifacts", "bench", "gateway.json");
}
