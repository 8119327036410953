using System.Net.Http.Json;
using System.Text.Json;
using Serving.EndToEnd.Tests.Support;

namespace Serving.EndToEnd.Tests;

/// <summary>A gateway whose cluster has no workers: 503 with a reason, on requests and on /health.</summary>
public sealed class NoWorkersTests(NoWorkersHost host) : IClassFixture<NoWorkersHost>
{
    [Fact]
    public async Task Completion_WithoutWorkers_Is503()
    {
        using var response = await host.Http.PostAsJsonAsync("/v1/completions", new { prompt = "Hi", max_tokens = 2 });

        await ErrorTests.AssertErrorAsync(response, 503, null);
    }

    [Fact]
    public async Task Health_WithoutWorkers_Is503WithReason()
    {
        using var response = await host.Http.GetAsync("/health");

        Assert.Equal(503, (int)response.StatusCode);
        Assert.Equal("no workers are up", JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("reason").GetString());
    }
}
