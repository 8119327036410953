using Serving.Engine.Core;
using Serving.Model.Sampling;

namespace Serving.Engine.Tests.Support;

/// <summary>
/// A fixed schedule of requests arriving at different steps — some sharing a prefix (cache hits, possibly of blocks
/// a prompt in flight wrote), some short enough to finish while others are still prefilled — and the driver that
/// runs it, so prefill modes can be compared token for token.
/// </summary>
internal static class StaggeredArrivals
{
    public static readonly SamplingParams Greedy = SamplingParams.Greedy(16) with { IgnoreEos = true };
    public static readonly SamplingParams Seeded = new() { Temperature = 0.9, TopP = 0.95, Seed = 7, MaxTokens = 16, IgnoreEos = true };

    public static readonly (int Step, string Id, int[] Prompt)[] Arrivals =
    [
        (0, "a", TestModels.Prompt(40, 1)),
        (0, "b", TestModels.Prompt(7, 2)),
        (2, "c", TestModels.Prompt(150, 3)),
        (3, "d", [.. TestModels.Prompt(40, 1), .. TestModels.Prompt(12, 4)]),
        (4, "g", [.. TestModels.Prompt(150, 3), .. TestModels.Prompt(5, 7)]),
        (5, "e", TestModels.Prompt(90, 5)),
        (9, "f", TestModels.Prompt(3, 6)),
    ];

    /// <summary>Runs the schedule to the end and returns every request's tokens; <paramref name="onStep"/> runs before each step.</summary>
    public static Dictionary<string, List<int>> Drive(LlmEngine engine, SamplingParams sampling, Action<int>? onStep = null)
    {
        var tokens = Arrivals.ToDictionary(a => a.Id, _ => new List<int>());
        for (var step = 0; step <= Arrivals[^1].Step || engine.HasUnfinishedRequests; step++)
        {
            foreach (var a in Arrivals.Where(a => a.Step == step))
                engine.AddRequest(a.Id, a.Prompt, sampling);
            onStep?.Invoke(step);
            foreach (var o in engine.Step())
                tokens[o.RequestId].AddRange(o.NewTokenIds);
        }
        return tokens;
    }
}
