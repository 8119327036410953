using Serving.LoadTest.Workloads;
using Serving.Planning.LoadTests;

namespace Serving.LoadTest.Tests.Workloads;

public sealed class WorkloadBuilderTests : IDisposable
{
    readonly string folder = Directory.CreateTempSubdirectory("loadtest-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    static async Task<PromptBuilder> Words() => await PromptBuilder.CreateAsync(null, new Random(0), CancellationToken.None);

    [Fact]
    public async Task BuildAsync_SyntheticSameSeed_SameRequests()
    {
        var settings = new WorkloadSettings { NumPrompts = 20, Input = LengthSpec.Of(LengthDistribution.Uniform, 40), Output = LengthSpec.Of(LengthDistribution.LogNormal, 30) };
        var a = await WorkloadBuilder.BuildAsync(settings, await Words(), 11, CancellationToken.None);
        var b = await WorkloadBuilder.BuildAsync(settings, await Words(), 11, CancellationToken.None);
        var c = await WorkloadBuilder.BuildAsync(settings, await Words(), 12, CancellationToken.None);
        Assert.Equal(a, b);
        Assert.NotEqual(a.Select(r => r.Prompt), c.Select(r => r.Prompt));
        Assert.All(a, r => Assert.Equal(r.PromptTokens, r.Prompt.Split(' ').Length)); // one word per target token without a tokenizer
    }

    [Fact]
    public async Task FreshPromptsAsync_Synthetic_KeepsEveryLengthAndChangesEveryPrompt()
    {
        var settings = new WorkloadSettings { NumPrompts = 20, Input = LengthSpec.Of(LengthDistribution.Uniform, 40), Output = LengthSpec.Of(LengthDistribution.Fixed, 30) };
        var first = await WorkloadBuilder.BuildAsync(settings, await Words(), 11, CancellationToken.None);

        var fresh = await WorkloadBuilder.FreshPromptsAsync(settings, first, await Words(), new Random(5), CancellationToken.None);
        var again = await WorkloadBuilder.FreshPromptsAsync(settings, first, await Words(), new Random(5), CancellationToken.None);

        Assert.Equal(first.Select(r => (r.Index, r.PromptTokens, r.OutputTokens)), fresh.Select(r => (r.Index, r.PromptTokens, r.OutputTokens)));
        Assert.All(first.Zip(fresh), p => Assert.NotEqual(p.First.Prompt, p.Second.Prompt));
        Assert.All(fresh, r => Assert.Equal(r.PromptTokens, r.Prompt.Split(' ').Length));
        Assert.Equal(fresh, again); // deterministic for a seed
    }

    [Fact]
    public async Task BuildAsync_ShareGpt_TakesFirstTurnAsPromptAndFiltersShortAnswers()
    {
        var path = Path.Combine(folder, "sharegpt.json");
        await File.WriteAllTextAsync(path, """
            [
              {"id": "a", "conversations": [{"from": "human", "value": "tell me a long story about the sea and the wind"}, {"from": "gpt", "value": "once there was a boat that sailed far away from home"}]},
              {"id": "b", "conversations": [{"from": "human", "value": "hi there friend how are you"}, {"from": "gpt", "value": "ok"}]},
              {"id": "c", "conversations": [{"from": "human", "value": "only one turn"}]},
              {"id": "d"}
            ]
            """);
        var settings = new WorkloadSettings { Kind = WorkloadKind.ShareGpt, Path = path, NumPrompts = 5 };
        var requests = await WorkloadBuilder.BuildAsync(settings, await Words(), 1, CancellationToken.None);
        var only = Assert.Single(requests); // "b" has a 1-word answer (< 4 tokens), "c" and "d" have no pair
        Assert.StartsWith("tell me a long story", only.Prompt);
        Assert.Equal(15, only.PromptTokens); // 11 words · 1.3, rounded up
        Assert.Equal(15, only.OutputTokens);

        var fixedOutput = await WorkloadBuilder.BuildAsync(settings with { ShareGptOutputLen = 32 }, await Words(), 1, CancellationToken.None);
        Assert.Equal([32, 32], fixedOutput.Select(r => r.OutputTokens).Order());
    }

    [Fact]
    public async Task BuildAsync_TraceCsvAndJsonLines_KeepsArrivalsAndLengths()
    {
        var csv = Path.Combine(folder, "trace.csv");
        await File.WriteAllTextAsync(csv, "# a comment\narrival_s,prompt_tokens,output_tokens\n0.0,12,5\n0.5,30,7\n");
        var jsonl = Path.Combine(folder, "trace.jsonl");
        await File.WriteAllTextAsync(jsonl, "{\"timestamp\": 1000, \"input_length\": 12, \"output_length\": 5}\n{\"arrival_s\": 2.5, \"prompt_tokens\": 30, \"output_tokens\": 7}\n");
        foreach (var (path, arrivals) in new[] { (csv, new double?[] { 0, 0.5 }), (jsonl, new double?[] { 1, 2.5 }) })
        {
            var requests = await WorkloadBuilder.BuildAsync(new WorkloadSettings { Kind = WorkloadKind.Trace, Path = path, NumPrompts = int.MaxValue }, await Words(), 1, CancellationToken.None);
            Assert.Equal(arrivals, requests.Select(r => r.ArrivalS));
            Assert.Equal([12, 30], requests.Select(r => r.PromptTokens));
            Assert.Equal([5, 7], requests.Select(r => r.OutputTokens));
        }
    }

    [Fact]
    public void TraceReader_BadLine_ThrowsWithLineNumber()
    {
        var path = Path.Combine(folder, "bad.csv");
        File.WriteAllText(path, "0,10,5\n1,ten,5\n");
        var e = Assert.Throws<FormatException>(() => TraceReader.Read(path));
        Assert.Contains(":2:", e.Message);
    }
}
