using System.IO.MemoryMappedFiles;
using System.Text;
using System.Text.Json;
using TorchSharp;

namespace Serving.Engine.Checkpoint;

/// <summary>One memory-mapped .safetensors file: the parsed header and pointer access to tensor bytes.</summary>
internal sealed unsafe class SafeTensorsFile : IDisposable
{
    // Real headers are at most a few MB; anything larger is corruption, not a model.
    private const long MaxHeaderBytes = 100L * 1024 * 1024;

    private readonly MemoryMappedFile? map;
    private readonly MemoryMappedViewAccessor? view;
    private readonly byte* basePtr;
    private readonly long dataStart;
    private readonly Dictionary<string, SafeTensorEntry> entries;
    private bool disposed;

    public string Path { get; }

    public IReadOnlyDictionary<string, SafeTensorEntry> Entries => entries;

    public IReadOnlyDictionary<string, string> Metadata { get; }

    private SafeTensorsFile(string path, MemoryMappedFile? map, MemoryMappedViewAccessor? view, byte* basePtr,
        long dataStart, Dictionary<string, SafeTensorEntry> entries, IReadOnlyDictionary<string, string> metadata)
    {
        Path = path;
        this.map = map;
        this.view = view;
        this.basePtr = basePtr;
        this.dataStart = dataStart;
        this.entries = entries;
        Metadata = metadata;
    }

    public static SafeTensorsFile Open(string path)
    {
        long length = new FileInfo(path).Length;
        if (length < 8)
            throw new CheckpointException($"{path}: file is {length} bytes, too short for the 8-byte header length");

        var map = MemoryMappedFile.CreateFromFile(path, FileMode.Open, null, 0, MemoryMappedFileAccess.Read);
        MemoryMappedViewAccessor? view = null;
        bool acquired = false;
        try
        {
            view = map.CreateViewAccessor(0, length, MemoryMappedFileAccess.Read);
            byte* ptr = null;
            view.SafeMemoryMappedViewHandle.AcquirePointer(ref ptr);
            acquired = true;
            ptr += view.PointerOffset;

            ulong headerLength = BitConverter.IsLittleEndian ? *(ulong*)ptr : System.Buffers.Binary.BinaryPrimitives.ReverseEndianness(*(ulong*)ptr);
            if (headerLength > (ulong)(length - 8))
                throw new CheckpointException($"{path}: header length {headerLength} goes beyond the end of the file ({length} bytes)");
            if (headerLength > MaxHeaderBytes)
                throw new CheckpointException($"{path}: header length {headerLength} exceeds the {MaxHeaderBytes}-byte limit");

            var header = new ReadOnlySpan<byte>(ptr + 8, (int)headerLength);
            long dataStart = 8 + (long)headerLength;
            var (entries, metadata) = ParseHeader(path, header, length - dataStart);
            return new SafeTensorsFile(path, map, view, ptr, dataStart, entries, metadata);
        }
        catch
        {
            if (acquired) view!.SafeMemoryMappedViewHandle.ReleasePointer();
            view?.Dispose();
            map.Dispose();
            throw;
        }
    }

    /// <summary>Creates a CPU tensor with the stored bytes, converted to <paramref name="dtype"/> if it differs.</summary>
    public torch.Tensor Load(string name, torch.ScalarType dtype)
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        if (!entries.TryGetValue(name, out var entry))
            throw new CheckpointException($"{Path}: no tensor named '{name}'");
        var stored = torch.empty(entry.Info.Shape, entry.Info.DType.ToScalarType());
        try
        {
            TensorBytes.CopyFrom(stored, basePtr + dataStart + entry.Begin, entry.End - entry.Begin);
        }
        catch
        {
            stored.Dispose();
            throw;
        }
        if (stored.dtype == dtype) return stored;
        using (stored) return stored.to(dtype);
    }

    public void Dispose()
    {
        if (disposed) return;
        disposed = true;
        view?.SafeMemoryMappedViewHandle.ReleasePointer();
        view?.Dispose();
        map?.Dispose();
    }

    private static (Dictionary<string, SafeTensorEntry>, IReadOnlyDictionary<string, string>) ParseHeader(
        string path, ReadOnlySpan<byte> header, long dataLength)
    {
        JsonDocument doc;
        try
        {
            // Header may be padded with trailing spaces (allowed by the format).
            var reader = new Utf8JsonReader(header);
            doc = JsonDocument.ParseValue(ref reader);
            if (header[(int)reader.BytesConsumed..].IndexOfAnyExcept((byte)' ') >= 0)
                throw new CheckpointException($"{path}: header has bytes other than spaces after the JSON object");
        }
        catch (JsonException e)
        {
            throw new CheckpointException($"{path}: header is not valid JSON: {e.Message}", e);
        }

        using (doc)
        {
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
                throw new CheckpointException($"{path}: header must be a JSON object, found {doc.RootElement.ValueKind}");

            var entries = new Dictionary<string, SafeTensorEntry>(StringComparer.Ordinal);
            var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var property in doc.RootElement.EnumerateObject())
            {
                if (property.Name == "__metadata__")
                {
                    if (property.Value.ValueKind != JsonValueKind.Object)
                        throw new CheckpointException($"{path}: __metadata__ must be an object of strings");
                    foreach (var m in property.Value.EnumerateObject())
                        metadata[m.Name] = m.Value.ValueKind == JsonValueKind.String ? m.Value.GetString()! : m.Value.GetRawText();
                    continue;
                }
                var entry = ParseEntry(path, property.Name, property.Value, dataLength);
                if (!entries.TryAdd(property.Name, entry))
                    throw new CheckpointException($"{path}: tensor '{property.Name}' appears twice in the header");
            }
            CheckOverlaps(path, entries.Values);
            return (entries, metadata);
        }
    }

    private static SafeTensorEntry ParseEntry(string path, string name, JsonElement value, long dataLength)
    {
        string where = $"{path}: tensor '{name}'";
        if (value.ValueKind != JsonValueKind.Object)
            throw new CheckpointException($"{where}: entry must be an object with dtype, shape and data_offsets");
        if (!value.TryGetProperty("dtype", out var dtypeElement) || dtypeElement.ValueKind != JsonValueKind.String)
            throw new CheckpointException($"{where}: missing string 'dtype'");
        string dtypeText = dtypeElement.GetString()!;
        if (!SafeTensorDTypes.TryParse(dtypeText, out var dtype))
            throw new CheckpointException($"{where}: unsupported dtype '{dtypeText}'");

        if (!value.TryGetProperty("shape", out var shapeElement) || shapeElement.ValueKind != JsonValueKind.Array)
            throw new CheckpointException($"{where}: missing array 'shape'");
        var shape = new long[shapeElement.GetArrayLength()];
        int i = 0;
        foreach (var dim in shapeElement.EnumerateArray())
        {
            if (dim.ValueKind != JsonValueKind.Number || !dim.TryGetInt64(out long d) || d < 0)
                throw new CheckpointException($"{where}: shape entries must be non-negative integers, found {shapeElement.GetRawText()}");
            shape[i++] = d;
        }

        if (!value.TryGetProperty("data_offsets", out var offsets) || offsets.ValueKind != JsonValueKind.Array
            || offsets.GetArrayLength() != 2
            || !offsets[0].TryGetInt64(out long begin) || !offsets[1].TryGetInt64(out long end))
            throw new CheckpointException($"{where}: 'data_offsets' must be [begin, end] integers");
        if (begin < 0 || end < begin || end > dataLength)
            throw new CheckpointException(
                $"{where}: data_offsets [{begin}, {end}] are out of range for a data section of {dataLength} bytes");

        var info = new TensorInfo(name, dtype, shape);
        long expected;
        try
        {
            expected = checked(info.ElementCount * dtype.ElementSize());
        }
        catch (OverflowException)
        {
            throw new CheckpointException($"{where}: shape [{string.Join(", ", shape)}] is too large");
        }
        if (end - begin != expected)
            throw new CheckpointException(
                $"{where}: data_offsets [{begin}, {end}] span {end - begin} bytes but shape [{string.Join(", ", shape)}] of {dtype} needs {expected}");
        return new SafeTensorEntry(info, begin, end);
    }

    private static void CheckOverlaps(string path, IEnumerable<SafeTensorEntry> entries)
    {
        SafeTensorEntry? previous = null;
        foreach (var entry in entries.Where(e => e.End > e.Begin).OrderBy(e => e.Begin))
        {
            if (previous is not null && entry.Begin < previous.End)
                throw new CheckpointException(
                    $"{path}: tensors '{previous.Info.Name}' [{previous.Begin}, {previous.End}] and '{entry.Info.Name}' [{entry.Begin}, {entry.End}] overlap");
            previous = entry;
        }
    }
}
