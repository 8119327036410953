using Serving.Planning.Model;

namespace Serving.Planning.Tests.Model;

public sealed class LatencyModelTests
{
    [Fact]
    public void PrefillTime_BatchOfPrompts_AddsFixedLinearQuadraticAndPerPromptTerms()
    {
        var model = new PrefillModel(0.01, 0.001, 1e-6, 0.003);

        Assert.Equal(0.01 + 0.001 * 300 + 1e-6 * (100 * 100 + 200 * 200) + 0.003 * 2, model.Time(300, 100 * 100 + 200 * 200, 2), 12);
    }

    [Fact]
    public void DecodeTime_Batch_AddsPerRequestAndPerContextTerms()
    {
        var model = new DecodeModel(0.005, 0.001, 1e-5);

        Assert.Equal(0.005 + 0.004 + 1e-5 * 1000, model.Time(4, 1000), 12);
    }

    [Fact]
    public void TransferTime_Tokens_IsBytesOverBandwidthPlusLatency()
    {
        var model = new TransferModel(BytesPerToken: 2048, BandwidthBytesPerSecond: 1_048_576, LatencySeconds: 0.001);

        Assert.Equal(512 * 2048 / 1_048_576.0 + 0.001, model.Time(512), 12);
    }

    [Theory]
    [InlineData(1, 1.01)]
    [InlineData(4, 1.01 / 4 + 0.002)]
    public void PrefillGroupTime_Groups_IsShareOfPrefillPlusOverhead(int groups, double expected)
    {
        var profile = new WorkerProfile("m", "d", 32, new PrefillModel(0.01, 0.001, 0), new DecodeModel(0, 0, 0), 0.002, new TransferModel(1, 1, 0));

        Assert.Equal(expected, profile.PrefillGroupTime(1000, 1e6, 1, groups), 12);
    }

    [Fact]
    public void Time_WithANegativeFittedTerm_NeverGoesBelowZero()
    {
        Assert.True(new PrefillModel(0.01, 1e-4, -5e-8).Time(8192, 8192.0 * 8192, 1) > 0);
        Assert.True(new DecodeModel(0.01, -0.02, 0).Time(4, 100) > 0);
    }
}
