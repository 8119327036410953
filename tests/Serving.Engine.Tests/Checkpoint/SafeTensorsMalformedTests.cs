using System.Text;
using Serving.Engine.Checkpoint;

namespace Serving.Engine.Tests.Checkpoint;

public sealed class SafeTensorsMalformedTests
{
    private static string WriteRaw(TempFolder dir, string header, int dataBytes, long? declaredLength = null)
    {
        var headerBytes = Encoding.UTF8.GetBytes(header);
        var bytes = new byte[8 + headerBytes.Length + dataBytes];
        BitConverter.TryWriteBytes(bytes.AsSpan(0, 8), declaredLength ?? headerBytes.Length);
        headerBytes.CopyTo(bytes, 8);
        string path = dir.File(CheckpointReader.SingleFileName);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    private static CheckpointException OpenFails(TempFolder dir) =>
        Assert.Throws<CheckpointException>(() => CheckpointReader.Open(dir.Path).Dispose());

    [Fact]
    public void Open_FileShorterThanLengthPrefix_Throws()
    {
        using var dir = new TempFolder();
        File.WriteAllBytes(dir.File(CheckpointReader.SingleFileName), [1, 2, 3]);
        var e = OpenFails(dir);
        Assert.Contains("too short", e.Message);
        Assert.Contains(CheckpointReader.SingleFileName, e.Message);
    }

    [Fact]
    public void Open_TruncatedHeader_Throws()
    {
        using var dir = new TempFolder();
        const string header = """{"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}""";
        var full = Encoding.UTF8.GetBytes(header);
        var bytes = new byte[8 + 20];
        BitConverter.TryWriteBytes(bytes.AsSpan(0, 8), (long)full.Length);
        full.AsSpan(0, 20).CopyTo(bytes.AsSpan(8));
        File.WriteAllBytes(dir.File(CheckpointReader.SingleFileName), bytes);
        Assert.Contains("beyond the end of the file", OpenFails(dir).Message);
    }

    [Fact]
    public void Open_HeaderLengthBeyondFile_Throws()
    {
        using var dir = new TempFolder();
        WriteRaw(dir, "{}", 0, declaredLength: 1L << 40);
        var e = OpenFails(dir);
        Assert.Contains("header length", e.Message);
        Assert.Contains("beyond the end of the file", e.Message);
    }

    [Theory]
    [InlineData("""{"w":{"dtype":"F32",""", 0, "not valid JSON")]
    [InlineData("""{"w":{"dtype":"F32","shape":[4],"data_offsets":[0,16]}}""", 8, "'w'", "out of range")]
    [InlineData("""{"w":{"dtype":"BF16","shape":[2,3],"data_offsets":[0,8]}}""", 8, "'w'", "needs 12")]
    [InlineData("""{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}""", 12, "overlap", "'a'", "'b'")]
    [InlineData("""{"w":{"dtype":"F8_E9","shape":[1],"data_offsets":[0,1]}}""", 1, "unsupported dtype 'F8_E9'")]
    public void Open_MalformedHeader_ThrowsSayingWhatAndWhere(string header, int dataBytes, params string[] expected)
    {
        using var dir = new TempFolder();
        WriteRaw(dir, header, dataBytes);
        var message = OpenFails(dir).Message;
        foreach (var part in expected)
            Assert.Contains(part, message);
    }
}
