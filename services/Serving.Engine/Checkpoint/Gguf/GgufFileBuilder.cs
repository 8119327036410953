using System.Text;
using TorchSharp;

namespace Serving.Engine.Checkpoint.Gguf;

/// <summary>
/// Low-level GGUF v3 writer: little-endian header, metadata key/values, tensor infos, then aligned data.
/// Only F32 tensors; each is loaded when its bytes are written, so the whole model is never in memory twice.
/// </summary>
internal sealed class GgufFileBuilder
{
    private const uint Magic = 0x46554747; // "GGUF" read as little-endian uint32
    private const uint Version = 3;
    private const uint TypeF32 = 0;

    private readonly List<(string Key, Action<BinaryWriter> WriteValue)> metadata = [];
    private readonly List<(string Name, long[] Shape, Func<torch.Tensor> Load)> tensors = [];

    public GgufFileBuilder(uint alignment = 32)
    {
        Alignment = alignment;
        AddUInt32("general.alignment", alignment);
    }

    public uint Alignment { get; }

    public void AddUInt32(string key, uint value) => Add(key, GgufValueType.UInt32, w => w.Write(value));

    public void AddFloat32(string key, float value) => Add(key, GgufValueType.Float32, w => w.Write(value));

    public void AddBool(string key, bool value) => Add(key, GgufValueType.Bool, w => w.Write(value ? (byte)1 : (byte)0));

    public void AddString(string key, string value) => Add(key, GgufValueType.String, w => WriteString(w, value));

    public void AddStringArray(string key, IReadOnlyList<string> values) => Add(key, GgufValueType.Array, w =>
    {
        w.Write((uint)GgufValueType.String);
        w.Write((ulong)values.Count);
        foreach (var value in values) WriteString(w, value);
    });

    public void AddInt32Array(string key, IReadOnlyList<int> values) => Add(key, GgufValueType.Array, w =>
    {
        w.Write((uint)GgufValueType.Int32);
        w.Write((ulong)values.Count);
        foreach (var value in values) w.Write(value);
    });

    /// <summary>Adds a tensor by its torch (row-major, outermost first) shape; <paramref name="load"/> must return F32 of that shape.</summary>
    public void AddTensor(string name, long[] shape, Func<torch.Tensor> load) => tensors.Add((name, shape, load));

    public void Write(string path)
    {
        using var stream = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20);
        using var writer = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true);
        writer.Write(Magic);
        writer.Write(Version);
        writer.Write((ulong)tensors.Count);
        writer.Write((ulong)metadata.Count);
        foreach (var (key, writeValue) in metadata)
        {
            WriteString(writer, key);
            writeValue(writer);
        }

        ulong offset = 0;
        foreach (var (name, shape, _) in tensors)
        {
            WriteString(writer, name);
            writer.Write((uint)shape.Length);
            // GGUF lists dimensions innermost first (ne[0] is the row length); the bytes stay row-major.
            for (int d = shape.Length - 1; d >= 0; d--) writer.Write((ulong)shape[d]);
            writer.Write(TypeF32);
            writer.Write(offset);
            offset = Align(offset + (ulong)(shape.Aggregate(1L, (a, b) => a * b) * sizeof(float)));
        }
        writer.Flush();
        Pad(stream);

        foreach (var (name, shape, load) in tensors)
        {
            using var tensor = load();
            if (tensor.dtype != torch.ScalarType.Float32 || !tensor.shape.SequenceEqual(shape))
                throw new InvalidOperationException($"GGUF tensor '{name}' loaded as {tensor.dtype} [{string.Join(", ", tensor.shape)}], expected F32 [{string.Join(", ", shape)}]");
            using var contiguous = tensor.contiguous();
            TensorBytes.WriteTo(contiguous, stream);
            Pad(stream);
        }
    }

    private void Add(string key, GgufValueType type, Action<BinaryWriter> writeValue) =>
        metadata.Add((key, w =>
        {
            w.Write((uint)type);
            writeValue(w);
        }));

    private static void WriteString(BinaryWriter writer, string value)
    {
        var bytes = Encoding.UTF8.GetBytes(value);
        writer.Write((ulong)bytes.Length);
        writer.Write(bytes);
    }

    private ulong Align(ulong value) => (value + Alignment - 1) / Alignment * Alignment;

    private void Pad(Stream stream)
    {
        long padding = (long)Align((ulong)stream.Position) - stream.Position;
        for (long i = 0; i < padding; i++) stream.WriteByte(0);
    }
}
