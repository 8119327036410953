using Xunit.Abstractions;
using Serving.Engine.Core;
using Serving.Host.Profiling;
using Serving.Planning.Model;

namespace Serving.Host.Tests.Profiling;

public sealed class EngineProfilerTests(ITestOutputHelper output)
{
    // Held-out errors of 30–40% were seen at load ~7 on this shared 2-vCPU VM; a constant model misses the 10–130 ms prefills by >100%.
    private const double MaxHeldOutError = 0.5;

    [Fact]
    public async Task Run_QuickOnDefaultModel_FitsHeldOutPointsAndRoundTrips()
    {
        // One thread: a second one would wait on the other tenants of this busy VM and scatter the timings.
        using var engine = LlmEngine.Create(new EngineOptions { Device = "cpu", NumThreads = 1, EnablePrefixCaching = false });
        var result = new EngineProfiler(engine, new ProfilerSettings(Quick: true, Repeats: 3), _ => { }).Run("tiny-llama", "cpu");

        output.WriteLine($"held-out MAPE: prefill {result.PrefillFit.HeldOutError:P1}, decode {result.DecodeFit.HeldOutError:P1}");
        Assert.InRange(result.PrefillFit.HeldOutError, 0, MaxHeldOutError);
        Assert.InRange(result.DecodeFit.HeldOutError, 0, MaxHeldOutError);
        Assert.True(result.PrefillFit.HeldOutPoints >= 2 && result.DecodeFit.HeldOutPoints >= 2);
        Assert.Equal(engine.Config.NumLayers, result.Profile.Layers);
        Assert.Equal([1, 2, 4, 8], result.Measurements.LayerGroups.Select(p => p.Groups));
        // A 256-token prompt in one step costs more than one of its 8 layer groups.
        Assert.True(result.Measurements.LayerGroups[0].Seconds > result.Measurements.LayerGroups[3].Seconds);

        var path = Path.Combine(Path.GetTempPath(), $"profile-{Guid.NewGuid():N}.json");
        try
        {
            await ProfileJson.SaveAsync(result.Profile, path);
            Assert.Equal(result.Profile, await ProfileJson.LoadAsync(path));
        }
        finally
        {
            File.Delete(path);
        }
    }
}
