using Serving.Engine.Core;

namespace Serving.Engine.Tests.Core;

public sealed class EngineTargetTests
{
    [Theory]
    [InlineData("auto", "auto", "bfloat16", true, "cuda", "bfloat16")]
    [InlineData("auto", "auto", "float16", true, "cuda", "float16")]
    [InlineData("auto", "auto", "bfloat16", false, "cpu", "float32")]
    [InlineData("cpu", "auto", "bfloat16", true, "cpu", "float32")]
    [InlineData("cpu", "bf16", "float16", true, "cpu", "bfloat16")]
    [InlineData("cuda:1", "fp16", "bfloat16", true, "cuda", "float16")]
    public void Resolve_NamesTheDeviceTypeAndDtypeTheEngineRunsIn(string device, string dtype, string checkpoint, bool cuda, string expectedDevice, string expectedDtype) =>
        Assert.Equal(new EngineTarget(expectedDevice, expectedDtype), EngineTarget.Resolve(device, dtype, checkpoint, cuda));

    [Theory]
    [InlineData("cuda", "auto")]
    [InlineData("tpu", "auto")]
    [InlineData("cpu", "int8")]
    public void Resolve_RefusesWhatTheEngineCannotRun(string device, string dtype) =>
        Assert.Throws<ArgumentException>(() => EngineTarget.Resolve(device, dtype, "float32", cudaAvailable: false));

    [Fact]
    public void AnEngine_ReportsTheTargetItResolved()
    {
        using var engine = LlmEngine.Create(new EngineOptions { Device = "cpu", DType = "auto", NumBlocks = 8 });

        Assert.Equal(new EngineTarget("cpu", "float32"), engine.Target);
        Assert.Equal("float32", engine.KvLayout.DType);
    }
}
