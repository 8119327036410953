using Serving.LoadTest.Workloads;

namespace Serving.LoadTest.Output;

/// <summary>
/// What the load tester records beyond Serving.Planning's <c>LoadTestResult</c> schema (written into the same
/// result.json by <see cref="ResultJson"/>): the prefix workloads' settings, and per run its prefix-cache summary, the
/// server's counters and every request's tag. Readers of the schema alone (`serving simulate --from-result`) skip them.
/// </summary>
internal sealed record ResultExtras
{
    public static readonly ResultExtras None = new();

    public MultiTurnSettings? MultiTurn { get; init; }
    public SharedPrefixSettings? SharedPrefix { get; init; }
    /// <summary>One per run of the result, in its order.</summary>
    public IReadOnlyList<RunExtras> Runs { get; init; } = [];

    public RunExtras Run(int index) => index < Runs.Count ? Runs[index] : RunExtras.None;
}
