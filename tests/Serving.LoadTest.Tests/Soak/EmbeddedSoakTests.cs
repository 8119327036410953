using Serving.LoadTest.Soak;
using Serving.LoadTest.Soak.Checks;

namespace Serving.LoadTest.Tests.Soak;

/// <summary>
/// The CI soak: the README's default `serving` (one process: gateway, prefill, decode) started by the tool on
/// loopback, under two minutes of mixed load with client disconnects mid-stream, n > 1 and long prompts.
/// </summary>
public sealed class EmbeddedSoakTests
{
    [Fact]
    public async Task Soak_TwoMinutesOfMixedLoadWithDisconnects_PassesEveryCheck()
    {
        var outDir = Path.Combine(Path.GetTempPath(), $"serving-soak-test-{Environment.ProcessId}");
        var settings = new SoakSettings
        {
            Target = new SoakTargetSettings { Topology = SoakTopology.Embedded },
            // Short outputs and a few clients: two cores shared with other builds must still finish each request in seconds.
            Mix = new SoakMix { DisconnectShare = 0.15, MultiChoiceShare = 0.3, LongPromptShare = 0.06, LongPromptMinWords = 1000, LongPromptMaxWords = 2000, MaxOutputTokens = 32 },
            Duration = TimeSpan.FromSeconds(100),
            WarmUp = TimeSpan.FromSeconds(30),
            Concurrency = 4,
            Seed = 17,
            RequestDeadline = TimeSpan.FromSeconds(90),
            Settle = TimeSpan.FromSeconds(15),
            OutDir = outDir,
            Progress = false,
        };

        var result = await new SoakRun(settings).ExecuteAsync(CancellationToken.None);

        var checks = string.Join(Environment.NewLine, result.Checks.Select(c => $"{c.Name}: {c.Status}: {c.Detail}"));
        Assert.True(result.Passed, checks);
        // Every check had something to judge: the tool started the server, so it sees its memory, logs and KV gauges.
        Assert.All(result.Checks, c => Assert.Equal(CheckStatus.Pass, c.Status));
        Assert.Equal(0, result.Kv.LeakedBlocks);
        Assert.True(result.Requests.Disconnected > 0, $"no client disconnect happened: {result.Requests}");
        Assert.True(result.Requests.MultiChoice > 0 && result.Requests.Streamed > 0, $"{result.Requests}");
        Assert.True(File.Exists(Path.Combine(outDir, "result.json")));
        Directory.Delete(outDir, recursive: true);
    }
}
