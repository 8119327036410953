using Serving.LoadTest.Workloads;
using Serving.Planning.LoadTests;

namespace Serving.LoadTest.Tests.Workloads;

public sealed class SharedPrefixWorkloadTests
{
    static readonly SharedPrefixSettings Settings = new() { Groups = 3, PromptsPerGroup = 4, PrefixWords = 40, QuestionWords = 6 };

    static async Task<PromptBuilder> Words() => await PromptBuilder.CreateAsync(null, new Random(0), CancellationToken.None);

    static async Task<List<WorkloadRequest>> Build(int seed) =>
        await SharedPrefixWorkload.BuildAsync(Settings, LengthSpec.Of(LengthDistribution.Fixed, 24), await Words(), new Random(seed), CancellationToken.None);

    static string Prefix(WorkloadRequest r) => r.Messages![0].Content;

    [Fact]
    public async Task BuildAsync_GroupsTimesPrompts_EachGroupSharingItsPrefixExactly()
    {
        var requests = await Build(seed: 4);

        Assert.Equal(12, requests.Count);
        Assert.Equal(Enumerable.Range(0, 12), requests.Select(r => r.Index));
        var groups = requests.GroupBy(r => r.Tag.Group!.Value).OrderBy(g => g.Key).ToArray();
        Assert.Equal([0, 1, 2], groups.Select(g => g.Key));
        Assert.All(groups, g =>
        {
            Assert.Equal(4, g.Count());
            var prefix = Prefix(g.First());
            Assert.Equal(40, prefix.Split(' ').Length);
            Assert.All(g, r =>
            {
                Assert.Equal(prefix, Prefix(r));
                Assert.Equal(("system", "user"), (r.Messages![0].Role, r.Messages[1].Role));
                Assert.Equal($"{prefix}\n\n{r.Messages[1].Content}", r.Prompt); // completions: the prefix, then the question
                Assert.Equal(6, r.Messages[1].Content.Split(' ').Length);
                Assert.Equal(52, r.Tag.PrefixTokens); // 40 words · 1.3 without a tokenizer
                Assert.Equal(24, r.OutputTokens);
            });
            Assert.Equal(4, g.Select(r => r.Messages![1].Content).Distinct().Count());
        });
        Assert.Equal(3, groups.Select(g => Prefix(g.First())).Distinct().Count());
        // Shuffled across groups, not sent group by group.
        Assert.NotEqual(requests.Select(r => r.Tag.Group).Order(), requests.Select(r => r.Tag.Group));
        Assert.Equal(requests.Select(r => r.Prompt), (await Build(seed: 4)).Select(r => r.Prompt));
    }

    [Fact]
    public async Task FreshAsync_KeepsTheGroupsWithNewPrefixes()
    {
        var first = await Build(seed: 4);

        var fresh = await SharedPrefixWorkload.FreshAsync(Settings, first, await Words(), new Random(9), CancellationToken.None);

        Assert.Equal(first.Select(r => (r.Index, r.Tag.Group, r.OutputTokens)), fresh.Select(r => (r.Index, r.Tag.Group, r.OutputTokens)));
        Assert.All(fresh.GroupBy(r => r.Tag.Group), g => Assert.Single(g.Select(Prefix).Distinct()));
        Assert.Empty(first.Select(Prefix).Intersect(fresh.Select(Prefix)));
    }

    [Fact]
    public async Task FreshPromptsAsync_OfTheWarmUp_DropsTheSharedPrefix()
    {
        var first = await Build(seed: 4);

        var warmups = await WorkloadBuilder.FreshPromptsAsync(new WorkloadSettings(), first.Take(2).ToList(), await Words(), new Random(1), CancellationToken.None);

        Assert.All(warmups, r => Assert.Null(r.Messages)); // chat sends the new prompt, not the run's prefix
    }
}
