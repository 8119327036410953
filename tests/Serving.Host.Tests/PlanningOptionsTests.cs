using System.CommandLine;
using Serving.Planning.Simulation;

namespace Serving.Host.Tests;

public sealed class PlanningOptionsTests
{
    [Theory]
    [InlineData("fixed", typeof(FixedLength))]
    [InlineData("uniform", typeof(UniformLength))]
    [InlineData("lognormal", typeof(LogNormalLength))]
    public void Lengths_KnownKind_ReturnsThatDistribution(string kind, Type expected)
    {
        Assert.IsType(expected, PlanningOptions.Lengths(kind, 128, null, null, 0.5));
    }

    [Fact]
    public void Parse_UniformPromptsAndSlo_BuildsWorkloadAndSlo()
    {
        var (options, parse) = Parse("--profile p.json --ttft-ms 2000 --tpot-ms 40 --input-len 1536 --input-dist uniform --input-min 1024 --input-max 2048");

        Assert.Empty(parse.Errors);
        Assert.Equal(new Slo(2, 0.04), options.Slo(parse));
        Assert.Equal(new WorkloadSpec(new UniformLength(1024, 2048), new FixedLength(64)), options.Workload(parse));
        Assert.True(options.WorkloadGiven(parse));
    }

    [Fact]
    public void Parse_NoSloNorWorkload_NullSloAndNothingGiven()
    {
        var (options, parse) = Parse("--profile p.json --seed 3");

        Assert.Empty(parse.Errors);
        Assert.Null(options.Slo(parse));
        Assert.False(options.WorkloadGiven(parse));
    }

    [Fact]
    public void Parse_PrefixHitRate_GoesIntoTheWorkloadButIsNoLengthOption()
    {
        var (options, parse) = Parse("--profile p.json --prefix-hit-rate 0.4");

        Assert.Empty(parse.Errors);
        Assert.Equal(0.4, options.Workload(parse).PrefixHitRate);
        Assert.False(options.WorkloadGiven(parse)); // so it applies to a load test's replayed requests too
        var (defaults, none) = Parse("--profile p.json");
        Assert.Equal(0, defaults.Workload(none).PrefixHitRate);
    }

    [Theory]
    [InlineData("1.5")]
    [InlineData("-0.1")]
    public void Parse_PrefixHitRateOutsideZeroToOne_IsAnError(string rate)
    {
        var (_, parse) = Parse($"--profile p.json --prefix-hit-rate {rate}");

        Assert.Contains(parse.Errors, e => e.Message.Contains("--prefix-hit-rate", StringComparison.Ordinal));
    }

    /// <summary>The options on a command of their own (the SLO optional), and that command's parse of <paramref name="line"/>.</summary>
    static (PlanningOptions Options, ParseResult Parse) Parse(string line)
    {
        var options = new PlanningOptions(sloRequired: false);
        var command = new Command("x");
        options.AddTo(command);
        return (options, command.Parse(line));
    }
}
