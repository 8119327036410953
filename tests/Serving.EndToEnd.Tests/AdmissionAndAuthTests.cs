using System.ClientModel;
using System.Net;
using System.Net.Http.Json;
using OpenAI.Chat;
using Serving.EndToEnd.Tests.Support;

namespace Serving.EndToEnd.Tests;

/// <summary>API keys (401) and admission control (429 with Retry-After), on a host that requires a key and holds two requests.</summary>
public sealed class AdmissionAndAuthTests(GuardedHost host) : IClassFixture<GuardedHost>
{
    [Fact]
    public async Task MissingOrWrongKey_Is401_RightKeyServes()
    {
        using var anonymous = new HttpClient { BaseAddress = host.Http.BaseAddress };
        using var missing = await anonymous.PostAsJsonAsync("/v1/completions", new { prompt = "Hi", max_tokens = 2 });
        await ErrorTests.AssertErrorAsync(missing, 401, null);

        var wrong = await Assert.ThrowsAsync<ClientResultException>(() => host.Chat(key: "sk-wrong").CompleteChatAsync([new UserChatMessage("Hi")]));
        Assert.Equal(401, wrong.Status);

        ChatCompletion ok = await host.Chat().CompleteChatAsync([new UserChatMessage("Hi")], new ChatCompletionOptions { MaxOutputTokenCount = 2 });
        Assert.Equal(2, ok.Usage.OutputTokenCount);

        // Probes and scrapers need no key.
        using var health = await anonymous.GetAsync("/health");
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
    }

    [Fact]
    public async Task Health_WithoutAKey_SaysOnlyWhetherTheClusterIsReady_WithAKey_ListsItsWorkers()
    {
        using var anonymous = new HttpClient { BaseAddress = host.Http.BaseAddress };
        using var bare = System.Text.Json.JsonDocument.Parse(await anonymous.GetStringAsync("/health"));
        Assert.Equal(["status"], bare.RootElement.EnumerateObject().Select(p => p.Name));
        Assert.Equal("ok", bare.RootElement.GetProperty("status").GetString());

        using var detailed = System.Text.Json.JsonDocument.Parse(await host.Http.GetStringAsync("/health"));
        Assert.NotEmpty(detailed.RootElement.GetProperty("workers").EnumerateArray());
    }

    [Fact]
    public async Task Metrics_OnTheApiPort_NeedAKey_OnTheMetricsPort_ScrapersNeedNone()
    {
        using var anonymous = new HttpClient { BaseAddress = host.Http.BaseAddress };
        using var refused = await anonymous.GetAsync("/metrics");
        await ErrorTests.AssertErrorAsync(refused, 401, null);

        using var keyed = await host.Http.GetAsync("/metrics");
        Assert.Equal(HttpStatusCode.OK, keyed.StatusCode);
        using var scraper = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{host.MetricsPort}") };
        var scraped = await scraper.GetStringAsync("/metrics");
        Assert.Contains("serving_", scraped, StringComparison.Ordinal);
    }

    [Fact]
    public async Task BeyondConcurrencyLimit_Is429WithRetryAfter_ThenAdmitsAgain()
    {
        var body = new { prompt = "A long story begins", max_tokens = 3000, ignore_eos = true, stream = true };
        var held = new List<HttpResponseMessage>();
        try
        {
            for (var i = 0; i < 2; i++)
            {
                var request = new HttpRequestMessage(HttpMethod.Post, "/v1/completions") { Content = JsonContent.Create(body) };
                var response = await host.Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
                held.Add(response);
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            }

            using var refused = await host.Http.PostAsJsonAsync("/v1/completions", new { prompt = "Hi", max_tokens = 2 });
            await ErrorTests.AssertErrorAsync(refused, 429, null);
            Assert.True(refused.Headers.RetryAfter?.Delta > TimeSpan.Zero);
        }
        finally
        {
            foreach (var response in held)
                response.Dispose();
        }

        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (true)
        {
            using var again = await host.Http.PostAsJsonAsync("/v1/completions", new { prompt = "Hi", max_tokens = 2 });
            if (again.StatusCode == HttpStatusCode.OK)
                break;
            Assert.Equal(HttpStatusCode.TooManyRequests, again.StatusCode);
            Assert.True(DateTime.UtcNow < deadline, "the held requests' admission was never released");
            await Task.Delay(100);
        }
    }
}
