using System.Text;
using System.Text.Json;
using TorchSharp;

namespace Serving.Engine.Checkpoint;

/// <summary>Writes named tensors to .safetensors files, streaming bytes straight from tensor storage.</summary>
public static class SafeTensorsWriter
{
    /// <summary>Writes one file; tensors are stored in ordinal name order so output is deterministic.</summary>
    public static void Write(string path, IReadOnlyDictionary<string, torch.Tensor> tensors,
        IReadOnlyDictionary<string, string>? metadata = null)
    {
        var names = tensors.Keys.Order(StringComparer.Ordinal).ToList();
        byte[] header = BuildHeader(names, tensors, metadata);

        string temp = path + ".partial";
        using (var stream = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20))
        {
            Span<byte> length = stackalloc byte[8];
            System.Buffers.Binary.BinaryPrimitives.WriteUInt64LittleEndian(length, (ulong)header.Length);
            stream.Write(length);
            stream.Write(header);
            foreach (var name in names)
            {
                var tensor = tensors[name];
                // Only non-contiguous or non-CPU tensors pay for a copy; the usual case streams from storage.
                bool needsCopy = tensor.device_type != DeviceType.CPU || !tensor.is_contiguous();
                var source = needsCopy ? tensor.cpu().contiguous() : tensor;
                try
                {
                    TensorBytes.WriteTo(source, stream);
                }
                finally
                {
                    if (needsCopy) source.Dispose();
                }
            }
        }
        File.Move(temp, path, overwrite: true);
    }

    /// <summary>
    /// Writes shards of at most <paramref name="maxShardBytes"/> (a larger tensor gets a shard of its own) plus
    /// <c>model.safetensors.index.json</c>, in Hugging Face naming.
    /// </summary>
    public static void WriteSharded(string folder, IReadOnlyDictionary<string, torch.Tensor> tensors, long maxShardBytes)
    {
        var shards = new List<List<string>> { new() };
        long current = 0;
        foreach (var name in tensors.Keys.Order(StringComparer.Ordinal))
        {
            long size = tensors[name].NumberOfElements * tensors[name].ElementSize;
            if (shards[^1].Count > 0 && current + size > maxShardBytes)
            {
                shards.Add([]);
                current = 0;
            }
            shards[^1].Add(name);
            current += size;
        }

        Directory.CreateDirectory(folder);
        var weightMap = new SortedDictionary<string, string>(StringComparer.Ordinal);
        long total = 0;
        for (int i = 0; i < shards.Count; i++)
        {
            string file = $"model-{i + 1:D5}-of-{shards.Count:D5}.safetensors";
            Write(Path.Combine(folder, file), shards[i].ToDictionary(n => n, n => tensors[n]));
            foreach (var name in shards[i])
            {
                weightMap[name] = file;
                total += tensors[name].NumberOfElements * tensors[name].ElementSize;
            }
        }
        var index = new { metadata = new { total_size = total }, weight_map = weightMap };
        File.WriteAllText(Path.Combine(folder, CheckpointReader.IndexFileName),
            JsonSerializer.Serialize(index, new JsonSerializerOptions { WriteIndented = true }));
    }

    private static byte[] BuildHeader(List<string> names, IReadOnlyDictionary<string, torch.Tensor> tensors,
        IReadOnlyDictionary<string, string>? metadata)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            if (metadata is { Count: > 0 })
            {
                json.WriteStartObject("__metadata__");
                foreach (var (key, value) in metadata) json.WriteString(key, value);
                json.WriteEndObject();
            }
            long offset = 0;
            foreach (var name in names)
            {
                var tensor = tensors[name];
                var dtype = SafeTensorDTypes.FromScalarType(tensor.dtype);
                long size = tensor.NumberOfElements * tensor.ElementSize;
                json.WriteStartObject(name);
                json.WriteString("dtype", dtype.ToString());
                json.WriteStartArray("shape");
                foreach (var dim in tensor.shape) json.WriteNumberValue(dim);
                json.WriteEndArray();
                json.WriteStartArray("data_offsets");
                json.WriteNumberValue(offset);
                json.WriteNumberValue(offset + size);
                json.WriteEndArray();
                json.WriteEndObject();
                offset += size;
            }
            json.WriteEndObject();
        }
        // The format asks for the data section to start 8-byte aligned; pad the header with spaces.
        int padding = (int)((8 - buffer.Length % 8) % 8);
        for (int i = 0; i < padding; i++) buffer.WriteByte((byte)' ');
        return buffer.ToArray();
    }
}
