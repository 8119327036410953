using System.CommandLine;
using Serving.LoadTest.Cli;
using Serving.LoadTest.Workloads;
using Serving.Planning.LoadTests;

namespace Serving.LoadTest.Tests.Cli;

public sealed class CommonOptionsTests
{
    static Serving.LoadTest.Runner.LoadTestSettings Bind(string line)
    {
        var options = new CommonOptions();
        var command = new Command("run");
        options.AddTo(command);
        var args = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var parse = command.Parse(args);
        Assert.Empty(parse.Errors);
        return options.Bind(parse, args);
    }

    [Fact]
    public void Bind_MultiTurn_ReadsItsOptions()
    {
        var s = Bind("--workload multi-turn --conversations 2 --turns 3 --opening-words 40 --question-words 9 --think-time-ms 250 --output-len 24");

        Assert.Equal(new MultiTurnSettings { Conversations = 2, Turns = 3, OpeningWords = 40, QuestionWords = 9, ThinkTimeMs = 250 }, s.MultiTurn);
        Assert.Null(s.SharedPrefix);
        Assert.Equal(WorkloadKind.Synthetic, s.Workload.Kind);
        Assert.Equal(24, s.Workload.Output.Mean);
        Assert.True(s.ServerMetrics);
    }

    [Fact]
    public void Bind_SharedPrefix_DefaultsAsInferencePerf()
    {
        var s = Bind("--workload shared_prefix --no-server-metrics");

        Assert.Equal(new SharedPrefixSettings { Groups = 8, PromptsPerGroup = 8, PrefixWords = 500, QuestionWords = 60 }, s.SharedPrefix);
        Assert.Null(s.MultiTurn);
        Assert.False(s.ServerMetrics);
    }

    [Fact]
    public void Parse_AnUnknownWorkload_IsAnError()
    {
        var command = new Command("run");
        new CommonOptions().AddTo(command);

        var error = Assert.Single(command.Parse(["--workload", "multi-turns"]).Errors);

        Assert.Contains("multi-turn or shared-prefix", error.Message);
    }

    [Fact]
    public void Bind_BadValues_AreRefused()
    {
        Assert.Throws<ArgumentException>(() => Bind("--workload multi-turn --turns 0"));
        Assert.Throws<ArgumentException>(() => Bind("--workload multi-turn --think-time-ms -1"));
        Assert.Throws<ArgumentException>(() => Bind("--workload shared-prefix --dataset x.json"));
    }
}
