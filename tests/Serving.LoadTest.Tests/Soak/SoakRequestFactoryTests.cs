using System.Text.Json;
using Serving.LoadTest.Soak;
using Serving.LoadTest.Soak.Requests;
using Serving.Planning.LoadTests;

namespace Serving.LoadTest.Tests.Soak;

public sealed class SoakRequestFactoryTests
{
    static readonly SoakMix Mix = new();

    [Fact]
    public void Create_SameSeedAndIndex_GivesTheSameRequest()
    {
        var a = new SoakRequestFactory("m", Mix, 7).Create(123);
        var b = new SoakRequestFactory("m", Mix, 7).Create(123);
        var other = new SoakRequestFactory("m", Mix, 8).Create(123);

        Assert.Equal(a.Body, b.Body);
        Assert.Equal((a.Api, a.Stream, a.N, a.Invalid, a.Disconnect), (b.Api, b.Stream, b.N, b.Invalid, b.Disconnect));
        Assert.NotEqual(a.Body, other.Body);
    }

    [Fact]
    public void Create_ManyRequests_FollowTheMixShares()
    {
        var factory = new SoakRequestFactory("m", Mix, 1);
        var requests = Enumerable.Range(0, 4000).Select(factory.Create).ToList();

        Assert.InRange(Share(requests, r => r.Api == ApiKind.Chat), 0.45, 0.55);
        Assert.InRange(Share(requests, r => r.Stream), 0.55, 0.65);
        Assert.InRange(Share(requests, r => r.Disconnect is not null), 0.08, 0.12);
        Assert.InRange(Share(requests, r => r.N > 1), 0.22, 0.28);
        Assert.InRange(Share(requests, r => r.IsLong(Mix)), 0.035, 0.065);
        Assert.InRange(Share(requests, r => r.Invalid is not null), 0.02, 0.04);
        Assert.All(requests, r => Assert.InRange(r.N, 1, Mix.MaxN));
    }

    [Fact]
    public void Create_Bodies_AreWhatTheApiTakes()
    {
        var factory = new SoakRequestFactory("tiny", Mix, 3);
        foreach (var request in Enumerable.Range(0, 300).Select(factory.Create).Where(r => r.Invalid is null))
        {
            using var json = JsonDocument.Parse(request.Body);
            var body = json.RootElement;
            Assert.Equal("tiny", body.GetProperty("model").GetString());
            if (request.Api == ApiKind.Chat)
                Assert.Equal("user", body.GetProperty("messages")[0].GetProperty("role").GetString());
            else
                Assert.Equal(JsonValueKind.String, body.GetProperty("prompt").ValueKind);
            var maxTokens = body.GetProperty(request.Api == ApiKind.Chat ? "max_completion_tokens" : "max_tokens").GetInt32();
            Assert.InRange(maxTokens, 4, Mix.MaxOutputTokens);
            Assert.Equal(request.Stream, body.TryGetProperty("stream", out var s) && s.GetBoolean());
            Assert.Equal(request.N, body.TryGetProperty("n", out var n) ? n.GetInt32() : 1);
            if (body.TryGetProperty("min_tokens", out var min))
                Assert.InRange(min.GetInt32(), 1, maxTokens);
        }
    }

    static double Share(List<SoakRequest> requests, Func<SoakRequest, bool> which) => (double)requests.Count(which) / requests.Count;
}
