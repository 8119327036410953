using Serving.Engine.Checkpoint;
using TorchSharp;

namespace Serving.Engine.Tests.Checkpoint;

public sealed class SafeTensorsRoundTripTests
{
    private static Dictionary<string, torch.Tensor> SampleTensors()
    {
        using var gen = torch.manual_seed(7);
        return new Dictionary<string, torch.Tensor>
        {
            ["a.f32"] = torch.randn(3, 5),
            ["b.bf16"] = torch.randn(4, 2, 3).to(torch.ScalarType.BFloat16),
            ["c.f16"] = torch.randn(7).to(torch.ScalarType.Float16),
            ["d.scalar"] = torch.tensor(1.5f),
            ["e.empty"] = torch.empty(0, 4),
            ["f.i64"] = torch.arange(0, 6, dtype: torch.ScalarType.Int64).reshape(2, 3),
        };
    }

    [Fact]
    public void Write_ThenOpen_ReadsBitIdenticalTensorsForEveryDType()
    {
        using var dir = new TempFolder();
        var tensors = SampleTensors();
        SafeTensorsWriter.Write(dir.File(CheckpointReader.SingleFileName), tensors, new Dictionary<string, string> { ["format"] = "pt" });

        using var reader = CheckpointReader.Open(dir.Path);
        Assert.Equal(tensors.Keys.Order(), reader.Names.Order());
        foreach (var (name, expected) in tensors)
        {
            var info = reader.Info(name);
            Assert.Equal(expected.shape, info.Shape);
            Assert.Equal(SafeTensorDTypes.FromScalarType(expected.dtype), info.DType);
            using var actual = reader.Load(name, expected.dtype);
            Assert.Equal(expected.dtype, actual.dtype);
            Assert.Equal(expected.bytes.ToArray(), actual.bytes.ToArray());
        }
    }

    [Fact]
    public void Write_PadsHeaderToEightBytes()
    {
        using var dir = new TempFolder();
        string path = dir.File("x.safetensors");
        SafeTensorsWriter.Write(path, new Dictionary<string, torch.Tensor> { ["x"] = torch.ones(3) });
        var bytes = File.ReadAllBytes(path);
        long headerLength = BitConverter.ToInt64(bytes, 0);
        Assert.Equal(0, headerLength % 8);
        Assert.Equal(8 + headerLength + 12, bytes.Length);
    }

    [Fact]
    public void Load_ConvertsToRequestedDType()
    {
        using var dir = new TempFolder();
        using var source = torch.tensor(new float[] { 1f, -2.5f, 3.25f });
        using var bf16 = source.to(torch.ScalarType.BFloat16);
        SafeTensorsWriter.Write(dir.File(CheckpointReader.SingleFileName), new Dictionary<string, torch.Tensor> { ["w"] = bf16 });

        using var reader = CheckpointReader.Open(dir.Path);
        using var loaded = reader.Load("w", torch.ScalarType.Float32);
        Assert.Equal(torch.ScalarType.Float32, loaded.dtype);
        Assert.Equal(new[] { 1f, -2.5f, 3.25f }, loaded.data<float>().ToArray());
    }

    [Fact]
    public void WriteSharded_ThenOpen_ReadsEveryTensorFromItsShard()
    {
        using var dir = new TempFolder();
        var tensors = SampleTensors();
        SafeTensorsWriter.WriteSharded(dir.Path, tensors, maxShardBytes: 40);

        Assert.True(Directory.GetFiles(dir.Path, "model-*-of-*.safetensors").Length > 1);
        using var reader = CheckpointReader.Open(dir.Path);
        Assert.Equal(tensors.Keys.Order(), reader.Names.Order());
        foreach (var (name, expected) in tensors)
        {
            using var actual = reader.Load(name, expected.dtype);
            Assert.Equal(expected.bytes.ToArray(), actual.bytes.ToArray());
        }
    }

    [Fact]
    public void Validate_ReportsMissingExtraAndMisShapedTensorsWithBothShapes()
    {
        using var dir = new TempFolder();
        SafeTensorsWriter.Write(dir.File(CheckpointReader.SingleFileName), new Dictionary<string, torch.Tensor>
        {
            ["good"] = torch.zeros(2, 2),
            ["wrong"] = torch.zeros(3, 4),
            ["extra"] = torch.zeros(1),
        });
        using var reader = CheckpointReader.Open(dir.Path);

        var e = Assert.Throws<CheckpointException>(() => reader.Validate(new Dictionary<string, long[]>
        {
            ["good"] = [2, 2],
            ["wrong"] = [4, 3],
            ["absent"] = [5],
        }));
        Assert.Contains("missing tensor 'absent'", e.Message);
        Assert.Contains("unexpected tensor 'extra'", e.Message);
        Assert.Contains("'wrong' has shape [3, 4] but expected [4, 3]", e.Message);
        Assert.DoesNotContain("'good'", e.Message);

        reader.Validate(new Dictionary<string, long[]> { ["good"] = [2, 2], ["wrong"] = [3, 4], ["extra"] = [1] });
    }

    [Fact]
    public void Open_FolderWithoutCheckpoint_Throws()
    {
        using var dir = new TempFolder();
        var e = Assert.Throws<CheckpointException>(() => CheckpointReader.Open(dir.Path));
        Assert.Contains("model.safetensors", e.Message);
    }
}
