using Serving.LoadTest.Runner;
using Serving.LoadTest.Tests.Support;
using Serving.LoadTest.Workloads;
using Serving.Planning.LoadTests;

namespace Serving.LoadTest.Tests.Runner;

[Collection(FakeServerCollection.Name)]
public sealed class ConversationRunnerTests(FakeServerFixture fixture)
{
    FakeOpenAiServer Server => fixture.Server;

    static List<ConversationScript> Conversations(int count, int turns) =>
        [.. Enumerable.Range(0, count).Select(c => new ConversationScript(c, [.. Enumerable.Range(1, turns).Select(t => $"conversation {c} question {t}?")], [.. Enumerable.Repeat(4, turns)]))];

    Task<RunOutcome> Run(string script, ApiKind api, IReadOnlyList<ConversationScript> conversations, double thinkS = 0) =>
        new ConversationRunner(Harness.Client(Server.BaseUrl(script), api)).RunAsync(
            new ConversationPlan(conversations, new double[conversations.Count], thinkS, null, null), null, CancellationToken.None);

    [Fact]
    public async Task RunAsync_Chat_EachTurnSendsTheHistoryWithTheAnswersTheServerGave()
    {
        var before = Server.Exchanges("prefix").Count;

        var outcome = await Run("prefix", ApiKind.Chat, Conversations(2, 3));

        Assert.All(outcome.Results, r => Assert.True(r.Success, r.Error));
        Assert.Equal([(0, 1), (0, 2), (0, 3), (1, 1), (1, 2), (1, 3)], outcome.Tags.Select(t => (t.Conversation!.Value, t.Turn!.Value)));
        Assert.Equal(Enumerable.Range(0, 6), outcome.Results.Select(r => r.Index));
        var exchanges = Server.Exchanges("prefix").Skip(before).ToArray();
        Assert.Equal(6, exchanges.Length);
        foreach (var c in new[] { 0, 1 })
        {
            // The server's exchanges of this conversation, in the order it answered them: one per turn.
            var turns = exchanges.Where(e => e.Messages[0].Content == $"conversation {c} question 1?").ToArray();
            Assert.Equal([1, 3, 5], turns.Select(e => e.Messages.Length));
            for (var k = 1; k < turns.Length; k++)
            {
                var expected = turns[k - 1].Messages.Append(("assistant", turns[k - 1].Answer)).Append(("user", $"conversation {c} question {k + 1}?"));
                Assert.Equal(expected, turns[k].Messages);
            }
        }
        // Closed loop: a conversation's next turn leaves only after the previous answer has fully arrived.
        foreach (var c in new[] { 0, 3 })
            for (var k = 1; k < 3; k++)
            {
                var previous = outcome.Results[c + k - 1];
                Assert.True(outcome.Results[c + k].SentS >= previous.SentS + previous.E2elMs / 1000 - 1e-6, $"turn {k + 1} sent before turn {k} ended");
            }
        Assert.All(outcome.Tags, t => Assert.NotNull(t.CachedTokens));
    }

    [Fact]
    public async Task RunAsync_Completions_EachPromptBeginsWithThePreviousPromptAndItsAnswer()
    {
        var before = Server.Exchanges("prefixless").Count;

        var outcome = await Run("prefixless", ApiKind.Completions, Conversations(1, 3));

        Assert.All(outcome.Results, r => Assert.True(r.Success, r.Error));
        var turns = Server.Exchanges("prefixless").Skip(before).ToArray();
        Assert.Equal(3, turns.Length);
        Assert.Equal("User: conversation 0 question 1?\nAssistant:", turns[0].Prompt);
        Assert.Equal($"{turns[0].Prompt}{turns[0].Answer}\nUser: conversation 0 question 2?\nAssistant:", turns[1].Prompt);
        Assert.Equal($"{turns[1].Prompt}{turns[1].Answer}\nUser: conversation 0 question 3?\nAssistant:", turns[2].Prompt);
        Assert.All(outcome.Tags, t => Assert.Null(t.CachedTokens)); // this server reports none
    }

    [Fact]
    public async Task RunAsync_ThinkTime_PausesBetweenAnAnswerAndTheNextTurn()
    {
        var outcome = await Run("fast", ApiKind.Completions, Conversations(1, 2), thinkS: 0.15);

        var (first, second) = (outcome.Results[0], outcome.Results[1]);
        Assert.True(second.SentS - (first.SentS + first.E2elMs / 1000) >= 0.15 - 1e-3, $"{first.SentS} + {first.E2elMs} ms → {second.SentS}");
        Assert.True(second.ScheduledS >= first.SentS + 0.15);
    }

    [Fact]
    public async Task RunAsync_AFailedTurn_EndsItsConversation()
    {
        var outcome = await Run("always500", ApiKind.Completions, Conversations(2, 3));

        Assert.Equal(6, outcome.Results.Count);
        Assert.All(new[] { 0, 3 }, i => Assert.Equal(FailureKind.HttpStatus, outcome.Results[i].Failure));
        Assert.All(new[] { 1, 2, 4, 5 }, i =>
        {
            Assert.Equal(FailureKind.Cancelled, outcome.Results[i].Failure);
            Assert.Null(outcome.Results[i].SentS);
            Assert.Equal("turn 1 of its conversation failed", outcome.Results[i].Error);
        });
        Assert.Equal(2, outcome.Tags.Count(t => t.Turn == 3));
    }
}
