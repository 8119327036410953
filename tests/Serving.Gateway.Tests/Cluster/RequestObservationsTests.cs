using Serving.Gateway.Cluster;

namespace Serving.Gateway.Tests.Cluster;

public sealed class RequestObservationsTests
{
    [Fact]
    public void Finish_ChunksReportingCachedTokens_RecordsTheMostClampedToThePrompt()
    {
        var observations = new RequestObservations();
        var first = observations.Start(promptTokens: 100);
        first.Tokens(1, cachedPromptTokens: 64);
        first.Tokens(1, cachedPromptTokens: 0); // a later chunk (or a resumed request's next worker) may not repeat it
        first.Finish(completed: true);
        var second = observations.Start(promptTokens: 100);
        second.Tokens(0, cachedPromptTokens: 128); // a chunk without tokens still reports it
        second.Tokens(2);
        second.Finish(completed: true);

        var recorded = observations.Drain();

        Assert.Equal([64, 100], recorded.Select(o => o.CachedTokens));
        Assert.Equal([2, 2], recorded.Select(o => o.OutputTokens));
    }
}
