using System.Text.Json;
using Serving.Host.Simulating;
using Serving.Planning.Model;
using Serving.Planning.Simulation;
using Serving.Tests.Shared;

namespace Serving.Host.Tests;

public sealed class SimulateCommandTests : IDisposable
{
    private static readonly WorkerProfile Synthetic = Profiles.Gpu();

    private readonly string folder = Path.Combine(Path.GetTempPath(), $"simulate-{Guid.NewGuid():N}");

    public SimulateCommandTests() => Directory.CreateDirectory(folder);

    public void Dispose() => Directory.Delete(folder, recursive: true);

    [Fact]
    public async Task RunAsync_Rates_ReportsTheSimulatorsAttainmentAtEachRate()
    {
        var profile = await SaveProfileAsync(Synthetic);
        var workload = new WorkloadSpec(new UniformLength(256, 1024), new FixedLength(32));
        var slo = new Slo(0.4, 0.04);
        var settings = Settings(profile, (1, 1, 0), slo, workload) with { Rates = [1, 40], OutPath = Path.Combine(folder, "sim.json") };
        var console = new StringWriter();

        var code = await SimulateCommand.RunAsync(settings, console, CancellationToken.None);

        Assert.Equal(0, code);
        var report = JsonSerializer.Deserialize<JsonElement>(await File.ReadAllTextAsync(settings.OutPath!));
        var rates = report.GetProperty("rates").EnumerateArray().ToArray();
        Assert.Equal(2, rates.Length);
        var config = new ClusterConfig(1, 1, 0, KvCapacityTokens: (long)(512.0 * (1 << 20) / Synthetic.Transfer.BytesPerToken));
        foreach (var (row, rate) in rates.Zip(new[] { 1.0, 40.0 }))
        {
            var expected = Simulator.Run(config, Synthetic, WorkloadGenerator.Generate(workload, rate, 120, 1)).Attainment(slo);
            Assert.Equal(rate, row.GetProperty("rate").GetDouble());
            Assert.Equal(expected, row.GetProperty("simulated").GetProperty("attainment").GetDouble(), 12);
            Assert.Equal(JsonValueKind.Null, row.GetProperty("measured").ValueKind);
        }
        // Overload shows: the higher rate attains less.
        Assert.True(rates[1].GetProperty("simulated").GetProperty("attainment").GetDouble() < rates[0].GetProperty("simulated").GetProperty("attainment").GetDouble());
        Assert.True(report.GetProperty("goodput").GetDouble() > 0);
        Assert.Contains("1P+1D", console.ToString());
    }

    [Fact]
    public async Task RunAsync_FromResult_SimulatesEachRunsRequestsBesideTheMeasuredAttainment()
    {
        // A fast worker: every simulated request meets the SLO, while the measurement lost two of four.
        var fast = Synthetic with { Prefill = new PrefillModel(0.001, 0, 0), Decode = new DecodeModel(0.001, 0, 0) };
        var profile = await SaveProfileAsync(fast);
        var result = Path.Combine(folder, "result.json");
        await File.WriteAllTextAsync(result, """
            {
              "mode": "sweep",
              "workload": { "kind": "synthetic", "input": { "distribution": "fixed", "mean": 128, "min": 128, "max": 128, "sigma": 0.5 },
                            "output": { "distribution": "fixed", "mean": 10, "min": 10, "max": 10, "sigma": 0.5 } },
              "slo": { "ttft_ms": 1000, "tpot_ms": 50, "e2el_ms": null },
              "runs": [ { "rate": 2, "requests": [
                { "index": 0, "scheduled_s": 0.0, "sent_s": 0.001, "success": true, "ttft_ms": 100, "e2el_ms": 280, "itls_ms": [20, 20], "prompt_tokens": 128, "output_tokens": 10 },
                { "index": 1, "scheduled_s": 0.5, "sent_s": 0.501, "success": true, "ttft_ms": 100, "e2el_ms": 1000, "itls_ms": [100], "prompt_tokens": 128, "output_tokens": 10 },
                { "index": 2, "scheduled_s": 1.0, "sent_s": 1.001, "success": false, "ttft_ms": 0, "e2el_ms": 0, "itls_ms": [], "prompt_tokens": 128, "output_tokens": 0 },
                { "index": 3, "scheduled_s": 1.5, "sent_s": 1.501, "success": true, "ttft_ms": 300, "e2el_ms": 600, "itls_ms": [30], "prompt_tokens": 128, "output_tokens": 10 }
              ] } ]
            }
            """);
        var settings = Settings(profile, (0, 0, 2), null, new WorkloadSpec(new FixedLength(1), new FixedLength(1))) with { FromResult = result, OutPath = Path.Combine(folder, "sim.json") };
        var console = new StringWriter();

        var code = await SimulateCommand.RunAsync(settings, console, CancellationToken.None);

        Assert.Equal(0, code);
        var row = JsonSerializer.Deserialize<JsonElement>(await File.ReadAllTextAsync(settings.OutPath!)).GetProperty("rates")[0];
        Assert.Equal(2, row.GetProperty("rate").GetDouble());
        Assert.Equal(0.5, row.GetProperty("measured").GetProperty("attainment").GetDouble(), 12);
        Assert.Equal(1, row.GetProperty("measured").GetProperty("failed").GetInt32());
        Assert.Equal(1.0, row.GetProperty("simulated").GetProperty("attainment").GetDouble(), 12);
        Assert.Equal(50.0, row.GetProperty("attainmentDeltaPoints").GetDouble(), 9);
        Assert.Contains("TTFT ≤ 1000 ms, TPOT ≤ 50 ms", console.ToString());
        Assert.Contains("+50.0", console.ToString());
    }

    [Fact]
    public async Task RunAsync_ChunkedPrefill_SimulatesChunksAndRefusesThemWithLayers()
    {
        var profile = await SaveProfileAsync(Synthetic);
        var workload = new WorkloadSpec(new UniformLength(1024, 2048), new FixedLength(32));
        var slo = new Slo(1, 0.03);
        var settings = Settings(profile, (0, 0, 2), slo, workload) with { PrefillChunkTokens = 256, KvCacheMb = 8192, Rates = [2], OutPath = Path.Combine(folder, "sim.json") };
        var console = new StringWriter();

        Assert.Equal(0, await SimulateCommand.RunAsync(settings, console, CancellationToken.None));

        var report = JsonSerializer.Deserialize<JsonElement>(await File.ReadAllTextAsync(settings.OutPath!));
        Assert.Equal(256, report.GetProperty("prefillChunkTokens").GetInt32());
        var requests = WorkloadGenerator.Generate(workload, 2, 120, 1);
        var kv = (long)(8192.0 * (1 << 20) / Synthetic.Transfer.BytesPerToken);
        var chunked = Simulator.Run(new ClusterConfig(0, 0, 2, KvCapacityTokens: kv, PrefillChunkTokens: 256), Synthetic, requests).Attainment(slo);
        var whole = Simulator.Run(new ClusterConfig(0, 0, 2, KvCapacityTokens: kv), Synthetic, requests).Attainment(slo);
        Assert.Equal(chunked, report.GetProperty("rates")[0].GetProperty("simulated").GetProperty("attainment").GetDouble(), 12);
        Assert.NotEqual(whole, chunked); // the option reaches the simulator
        Assert.Contains("chunks of 256 tokens", console.ToString());

        Assert.Equal(2, await SimulateCommand.RunAsync(settings with { LayerGroups = 4 }, new StringWriter(), CancellationToken.None));
    }

    [Fact]
    public async Task RunAsync_PrefixHitRate_SimulatesRequestsWithThatShareOfTheirPromptsCached()
    {
        var profile = await SaveProfileAsync(Synthetic);
        var plain = new WorkloadSpec(new UniformLength(1024, 2048), new FixedLength(32));
        var workload = plain with { PrefixHitRate = 0.5 };
        // At 4 req/s one prefill worker cannot keep up with whole prompts, and can with half of each cached.
        var slo = new Slo(1.0, 0.04);
        var settings = Settings(profile, (1, 1, 0), slo, workload) with { Rates = [4], KvCacheMb = 8192, OutPath = Path.Combine(folder, "sim.json") };
        var console = new StringWriter();

        Assert.Equal(0, await SimulateCommand.RunAsync(settings, console, CancellationToken.None));

        var report = JsonSerializer.Deserialize<JsonElement>(await File.ReadAllTextAsync(settings.OutPath!));
        var config = new ClusterConfig(1, 1, 0, KvCapacityTokens: (long)(8192.0 * (1 << 20) / Synthetic.Transfer.BytesPerToken));
        var cached = Simulator.Run(config, Synthetic, WorkloadGenerator.Generate(workload, 4, 120, 1));
        var none = Simulator.Run(config, Synthetic, WorkloadGenerator.Generate(plain, 4, 120, 1));
        var row = report.GetProperty("rates")[0].GetProperty("simulated");
        Assert.Equal(cached.Attainment(slo), row.GetProperty("attainment").GetDouble(), 12);
        Assert.True(cached.Attainment(slo) > none.Attainment(slo), $"{cached.Attainment(slo)} vs {none.Attainment(slo)}");
        Assert.Equal(0.5, report.GetProperty("prefixHitRate").GetDouble());
        Assert.Contains("prefix hit rate 50%", console.ToString());
    }

    [Fact]
    public async Task RunAsync_MissingProfile_ReturnsOne()
    {
        var settings = Settings(Path.Combine(folder, "absent.json"), (0, 0, 2), new Slo(1, 1), new WorkloadSpec(new FixedLength(8), new FixedLength(8))) with { Rates = [1] };

        Assert.Equal(1, await SimulateCommand.RunAsync(settings, new StringWriter(), CancellationToken.None));
    }

    [Theory]
    [InlineData("1P+1D", 1, 1, 0)]
    [InlineData("2M", 0, 0, 2)]
    [InlineData("2p+1d", 2, 1, 0)]
    [InlineData("1P + 1D + 2M", 1, 1, 2)]
    public void ParseShape_RolesWithCounts_ReturnsTheCounts(string text, int prefill, int decode, int mixed)
    {
        Assert.Equal((prefill, decode, mixed), SimulateCommand.ParseShape(text));
    }

    [Theory]
    [InlineData("2Q")]
    [InlineData("1P+1P")]
    [InlineData("colocated")]
    [InlineData("")]
    public void ParseShape_NotAShape_Throws(string text)
    {
        Assert.Throws<ArgumentException>(() => SimulateCommand.ParseShape(text));
    }

    private async Task<string> SaveProfileAsync(WorkerProfile profile)
    {
        var path = Path.Combine(folder, "profile.json");
        await ProfileJson.SaveAsync(profile, path);
        return path;
    }

    private static SimulateSettings Settings(string profile, (int, int, int) shape, Slo? slo, WorkloadSpec workload) =>
        new(profile, shape, 1, 0, 0, 4096, 64, 512, slo, workload, 0.9, 120, 1, null, null, null);
}
