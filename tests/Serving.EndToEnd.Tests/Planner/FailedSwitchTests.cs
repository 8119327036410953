using System.Net.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using Serving.Contracts;
using Serving.Cluster.Workers;
using Serving.EndToEnd.Tests.Support;

namespace Serving.EndToEnd.Tests.Planner;

/// <summary>A role switch that cannot be applied (the engine is frozen) fails within the stall limit and leaves the worker as it was.</summary>
public sealed class FailedSwitchTests(FrozenSwitchHost host) : IClassFixture<FrozenSwitchHost>
{
    [Fact]
    public async Task ASwitchMeetingAFrozenEngine_FailsInTime_KeepsTheRole_AndTheEngineEndsOnItsOldSettings()
    {
        var worker = host.Services.GetRequiredService<LocalWorkers>().All.Single();
        Assert.Equal(WorkerRole.Mixed, worker.Role);
        await File.WriteAllTextAsync(host.HangFile, "");
        Task<HttpResponseMessage> stuck;
        try
        {
            stuck = host.Http.PostAsJsonAsync("/v1/completions", new { prompt = "Frozen mid-request", max_tokens = 8 });
            var deadline = DateTime.UtcNow.AddSeconds(10);
            while (worker.Loop.Load is { Waiting: 0, Running: 0 })
            {
                Assert.True(DateTime.UtcNow < deadline, "the request never reached the engine");
                await Task.Delay(20);
            }

            // Layer groups 4 would be a visible change: a decode worker in a layered cluster.
            var clock = System.Diagnostics.Stopwatch.StartNew();
            await Assert.ThrowsAsync<TimeoutException>(() => worker.ReconfigureAsync(WorkerRole.Decode, layerGroups: 4, TimeSpan.Zero));
            Assert.InRange(clock.Elapsed.TotalSeconds, 1.5, 6);
            Assert.Equal(WorkerRole.Mixed, worker.Role);
            Assert.Equal(1, worker.LayerGroups);
        }
        finally
        {
            File.Delete(host.HangFile);
        }

        // Unfrozen, the loop runs the queued switch and then the restore: it ends on the settings it had.
        (await stuck).Dispose();
        var deadline2 = DateTime.UtcNow.AddSeconds(10);
        while (await worker.Loop.InvokeAsync(e => e.PrefillLayerGroups) != 1)
        {
            Assert.True(DateTime.UtcNow < deadline2, "the engine did not end on its old settings");
            await Task.Delay(50);
        }
        // Frozen past the stall limit, the worker left routing; it is back once a heartbeat shows it moving (every
        // 250 ms), so a request right after the restore may still find no worker up (a clean-clone run did): wait for
        // the gateway to be ready again, then it is served.
        var deadline3 = DateTime.UtcNow.AddSeconds(10);
        while (true)
        {
            using (var health = await host.Http.GetAsync("/health"))
                if (health.IsSuccessStatusCode)
                    break;
            Assert.True(DateTime.UtcNow < deadline3, "the worker did not come back into routing");
            await Task.Delay(50);
        }
        using var served = await host.Http.PostAsJsonAsync("/v1/completions", new { prompt = "Served again", max_tokens = 4 });
        Assert.True(served.IsSuccessStatusCode, await served.Content.ReadAsStringAsync());
    }
}
