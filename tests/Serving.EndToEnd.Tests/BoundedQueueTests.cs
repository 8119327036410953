using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using Serving.EndToEnd.Tests.Support;

namespace Serving.EndToEnd.Tests;

/// <summary>The bounds on waiting: a worker's queue that is full refuses (503, Retry-After), and a request past its deadline ends (504) and frees its KV.</summary>
public sealed class BoundedQueueTests(BoundedHost host) : IClassFixture<BoundedHost>
{
    [Fact]
    public async Task WithTheEngineFrozen_ARequestBeyondTheQueueBoundGets503_TheWaitingOneTimesOutWith504_AndNothingIsHeldAfterwards()
    {
        await File.WriteAllTextAsync(host.HangFile, "");
        try
        {
            var clock = Stopwatch.StartNew();
            var waiting = host.Http.PostAsJsonAsync("/v1/completions", new { prompt = "A request that will wait", max_tokens = 8 });
            await Task.Delay(700);

            // The engine holds one waiting request already: the next is refused at once rather than queued without end.
            using (var refused = await host.Http.PostAsJsonAsync("/v1/completions", new { prompt = "One too many", max_tokens = 8 }))
            {
                await ErrorTests.AssertErrorAsync(refused, 503, param: null);
                Assert.Equal("1", refused.Headers.GetValues("Retry-After").Single());
                using var error = JsonDocument.Parse(await refused.Content.ReadAsStringAsync());
                Assert.Equal("server_busy", error.RootElement.GetProperty("error").GetProperty("code").GetString());
            }

            using var timedOut = await waiting;
            await ErrorTests.AssertErrorAsync(timedOut, 504, param: null);
            using (var error = JsonDocument.Parse(await timedOut.Content.ReadAsStringAsync()))
                Assert.Equal("request_timeout", error.RootElement.GetProperty("error").GetProperty("code").GetString());
            // The limit is a timer, which rounds its wait to whole milliseconds: a clean-clone run saw the 504 after
            // 2.99993 s by this clock. Early by less than a few milliseconds is the timer, not the limit.
            Assert.InRange(clock.Elapsed.TotalSeconds, BoundedHost.RequestTimeoutSeconds - 0.01, BoundedHost.RequestTimeoutSeconds + 5);
        }
        finally
        {
            File.Delete(host.HangFile);
        }

        // Unfrozen, the engine drops the abandoned request: every block is free, and requests are served again.
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (true)
        {
            using var health = JsonDocument.Parse(await host.Http.GetStringAsync("/health"));
            var worker = health.RootElement.GetProperty("workers")[0];
            if (worker.GetProperty("free_kv_blocks").GetInt32() == worker.GetProperty("total_kv_blocks").GetInt32() && worker.GetProperty("running").GetInt32() == 0)
                break;
            Assert.True(DateTime.UtcNow < deadline, $"KV still held: {health.RootElement}");
            await Task.Delay(200);
        }
        using var served = await host.Http.PostAsJsonAsync("/v1/completions", new { prompt = "After the freeze", max_tokens = 8 });
        Assert.True(served.IsSuccessStatusCode, await served.Content.ReadAsStringAsync());
    }
}
