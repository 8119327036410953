using Serving.LoadTest.Workloads;
using Serving.Planning.LoadTests;

namespace Serving.LoadTest.Tests.Workloads;

public sealed class MultiTurnWorkloadTests : IDisposable
{
    readonly string folder = Directory.CreateTempSubdirectory("loadtest-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    static readonly MultiTurnSettings Small = new() { Conversations = 3, Turns = 4, OpeningWords = 50, QuestionWords = 7 };
    static readonly WorkloadSettings Output24 = new() { Output = LengthSpec.Of(LengthDistribution.Fixed, 24) };

    static int Words(string text) => text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries).Length;

    [Fact]
    public void Build_Synthetic_OpensWithATextAndAQuestionThenAsksQuestions()
    {
        var (conversations, fromDataset) = MultiTurnWorkload.Build(Small, Output24, seed: 5);

        Assert.False(fromDataset);
        Assert.Equal([0, 1, 2], conversations.Select(c => c.Index));
        Assert.All(conversations, c =>
        {
            Assert.Equal(4, c.Turns);
            Assert.Equal(50 + 7, Words(c.UserTurns[0]));
            Assert.Contains("\n\n", c.UserTurns[0]);
            Assert.All(c.UserTurns.Skip(1), q => Assert.Equal(7, Words(q)));
            Assert.All(c.UserTurns, q => Assert.EndsWith("?", q));
            Assert.Equal([24, 24, 24, 24], c.OutputTokens);
        });
        Assert.Equal(3, conversations.Select(c => c.UserTurns[0]).Distinct().Count()); // no two conversations share an opening
        var again = MultiTurnWorkload.Build(Small, Output24, seed: 5).Conversations;
        Assert.Equal(conversations.SelectMany(c => c.UserTurns), again.SelectMany(c => c.UserTurns));
        Assert.NotEqual(conversations[0].UserTurns[0], MultiTurnWorkload.Build(Small, Output24, seed: 6).Conversations[0].UserTurns[0]);
    }

    [Fact]
    public async Task Build_ShareGptWithSeveralHumanTurns_SendsTheHumanTurns()
    {
        var path = Path.Combine(folder, "sharegpt.json");
        await File.WriteAllTextAsync(path, """
            [
              {"id": "a", "conversations": [
                {"from": "human", "value": "first question"}, {"from": "gpt", "value": "first answer"},
                {"from": "human", "value": "second question"}, {"from": "gpt", "value": "second answer"},
                {"from": "human", "value": "third question"}, {"from": "gpt", "value": "third answer"},
                {"from": "human", "value": "fourth question"}, {"from": "gpt", "value": "fourth answer"},
                {"from": "human", "value": "fifth question"}]},
              {"id": "b", "conversations": [{"from": "human", "value": "only one"}, {"from": "gpt", "value": "answer"}]},
              {"id": "c", "conversations": [{"from": "system", "value": "be brief"}, {"from": "user", "value": "hi"}, {"from": "assistant", "value": "hello"}, {"from": "user", "value": "bye"}]}
            ]
            """);

        var (conversations, fromDataset) = MultiTurnWorkload.Build(Small, Output24 with { Path = path }, seed: 1);

        Assert.True(fromDataset);
        Assert.Equal(2, conversations.Count); // "b" has one human turn
        var a = Assert.Single(conversations, c => c.UserTurns[0] == "first question");
        Assert.Equal(["first question", "second question", "third question", "fourth question"], a.UserTurns); // --turns 4
        Assert.Equal(["hi", "bye"], Assert.Single(conversations, c => c.UserTurns[0] == "hi").UserTurns);
        Assert.Equal([0, 1], conversations.Select(c => c.Index));
    }

    [Fact]
    public async Task Build_ShareGptWithoutMultiTurnConversations_MakesThemOfWords()
    {
        var path = Path.Combine(folder, "single.json");
        await File.WriteAllTextAsync(path, """[{"conversations": [{"from": "human", "value": "only one"}, {"from": "gpt", "value": "answer"}]}]""");

        var (conversations, fromDataset) = MultiTurnWorkload.Build(Small, Output24 with { Path = path }, seed: 1);

        Assert.False(fromDataset);
        Assert.Equal(3, conversations.Count);
    }

    [Fact]
    public void Openings_AreTheFirstTurnsAsRequests()
    {
        var (conversations, _) = MultiTurnWorkload.Build(Small, Output24, seed: 2);

        var openings = MultiTurnWorkload.Openings(conversations);

        Assert.Equal(conversations.Select(c => c.UserTurns[0]), openings.Select(r => r.Messages!.Single().Content));
        Assert.All(openings, r => Assert.Equal(1, r.Tag.Turn));
    }
}
