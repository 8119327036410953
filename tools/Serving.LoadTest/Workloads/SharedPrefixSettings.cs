namespace Serving.LoadTest.Workloads;

/// <summary>
/// The shared-prefix workload (inference-perf's): <see cref="Groups"/> system texts of <see cref="PrefixWords"/> words,
/// each followed by <see cref="PromptsPerGroup"/> questions of <see cref="QuestionWords"/> words, sent open-loop in an
/// order shuffled across groups.
/// </summary>
internal sealed record SharedPrefixSettings
{
    public int Groups { get; init; } = 8;
    public int PromptsPerGroup { get; init; } = 8;
    public int PrefixWords { get; init; } = 500;
    public int QuestionWords { get; init; } = 60;
}
