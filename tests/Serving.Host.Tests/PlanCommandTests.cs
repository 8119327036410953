using System.Globalization;
using Serving.Planning.Model;
using Serving.Planning.Planner;
using Serving.Planning.Simulation;
using Serving.Tests.Shared;

namespace Serving.Host.Tests;

public sealed class PlanCommandTests
{
    private static readonly WorkerProfile Synthetic = Profiles.Gpu();

    private static PlanRequest Request(int workers) => new(
        workers,
        new Slo(0.4, 0.04),
        new WorkloadSpec(new UniformLength(256, 1024), new FixedLength(32)),
        RequestCount: 120,
        Space: new SearchSpace(LayerGroups: [1, 4], ShortPromptThresholds: [0, 512], MaxBatchedPrefillTokens: [4096], MaxDecodeBatches: [64]));

    [Fact]
    public async Task RunAsync_WithPlot_WritesAPng()
    {
        var path = Path.Combine(Path.GetTempPath(), $"profile-{Guid.NewGuid():N}.json");
        var png = Path.ChangeExtension(path, ".png");
        await ProfileJson.SaveAsync(Synthetic, path);
        try
        {
            var console = new StringWriter();
            var code = await PlanCommand.RunAsync(path, Request(2), top: 3, console, CancellationToken.None, plot: png, plotTop: 3);

            Assert.Equal(0, code);
            Assert.Contains($"plot: {png}", console.ToString());
            var bytes = await File.ReadAllBytesAsync(png);
            Assert.True(bytes.Length > 5000, $"{bytes.Length} bytes");
            Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], bytes[..4]);
        }
        finally
        {
            File.Delete(path);
            File.Delete(png);
        }
    }

    [Fact]
    public async Task RunAsync_SyntheticProfile_BestRowMatchesPlannerBest()
    {
        var path = Path.Combine(Path.GetTempPath(), $"profile-{Guid.NewGuid():N}.json");
        await ProfileJson.SaveAsync(Synthetic, path);
        try
        {
            var console = new StringWriter();
            var code = await PlanCommand.RunAsync(path, Request(3), top: 5, console, CancellationToken.None);

            Assert.Equal(0, code);
            var lines = console.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
            var separator = Array.FindIndex(lines, l => l.StartsWith("-  ", StringComparison.Ordinal));
            var first = lines[separator + 1].Split(' ', StringSplitOptions.RemoveEmptyEntries);
            var best = PlacementPlanner.Plan(Request(3), Synthetic).Best;
            Assert.Equal("1", first[0]);
            Assert.Equal(best.Config.Shape, first[1]);
            Assert.Equal(best.Config.LayerGroups.ToString(CultureInfo.InvariantCulture), first[2]);
            Assert.Equal(best.Goodput.ToString("0.###", CultureInfo.InvariantCulture), first[6]);
            Assert.Equal(5, lines.Length - separator - 1);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public async Task RunAsync_MissingProfile_ReturnsOne()
    {
        var code = await PlanCommand.RunAsync(Path.Combine(Path.GetTempPath(), $"absent-{Guid.NewGuid():N}.json"), Request(2), 5, new StringWriter(), CancellationToken.None);

        Assert.Equal(1, code);
    }
}
