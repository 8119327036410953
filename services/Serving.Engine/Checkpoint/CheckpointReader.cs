using System.Text;
using System.Text.Json;
using TorchSharp;

namespace Serving.Engine.Checkpoint;

/// <summary>
/// Reads the tensors of a Hugging Face checkpoint folder: a single <c>model.safetensors</c> or shards listed in
/// <c>model.safetensors.index.json</c>. Files stay memory-mapped until disposal.
/// </summary>
public sealed class CheckpointReader : IDisposable, Serving.Engine.Model.IWeightSource
{
    public const string SingleFileName = "model.safetensors";
    public const string IndexFileName = "model.safetensors.index.json";

    private readonly List<SafeTensorsFile> files;
    private readonly Dictionary<string, SafeTensorsFile> owner;

    private CheckpointReader(string folder, List<SafeTensorsFile> files, Dictionary<string, SafeTensorsFile> owner)
    {
        Folder = folder;
        this.files = files;
        this.owner = owner;
    }

    public string Folder { get; }

    public IReadOnlyCollection<string> Names => owner.Keys;

    public static CheckpointReader Open(string folder)
    {
        string index = Path.Combine(folder, IndexFileName);
        string single = Path.Combine(folder, SingleFileName);
        if (File.Exists(index)) return OpenSharded(folder, index);
        if (File.Exists(single))
        {
            var file = SafeTensorsFile.Open(single);
            return new CheckpointReader(folder, [file], file.Entries.Keys.ToDictionary(n => n, _ => file, StringComparer.Ordinal));
        }
        throw new CheckpointException($"{folder}: neither {SingleFileName} nor {IndexFileName} found");
    }

    public TensorInfo Info(string name) => Owner(name).Entries[name].Info;

    public bool Contains(string name) => owner.ContainsKey(name);

    /// <summary>Copies one tensor from the mapped file into a new CPU tensor of <paramref name="dtype"/>.</summary>
    public torch.Tensor Load(string name, torch.ScalarType dtype) => Owner(name).Load(name, dtype);

    /// <summary>Throws listing every missing, unexpected and mis-shaped tensor against <paramref name="expected"/>.</summary>
    public void Validate(IReadOnlyDictionary<string, long[]> expected)
    {
        var problems = new List<string>();
        foreach (var (name, shape) in expected.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            if (!owner.TryGetValue(name, out var file))
                problems.Add($"missing tensor '{name}' (expected shape {Format(shape)})");
            else if (!file.Entries[name].Info.Shape.AsSpan().SequenceEqual(shape))
                problems.Add($"tensor '{name}' has shape {Format(file.Entries[name].Info.Shape)} but expected {Format(shape)}");
        }
        foreach (var name in owner.Keys.Where(n => !expected.ContainsKey(n)).OrderBy(n => n, StringComparer.Ordinal))
            problems.Add($"unexpected tensor '{name}' (shape {Format(Info(name).Shape)})");
        if (problems.Count > 0)
            throw new CheckpointException($"{Folder}: checkpoint does not match the model:{Environment.NewLine}  "
                + string.Join(Environment.NewLine + "  ", problems));
    }

    public void Dispose()
    {
        foreach (var file in files) file.Dispose();
    }

    internal static string Format(long[] shape) => $"[{string.Join(", ", shape)}]";

    private SafeTensorsFile Owner(string name) =>
        owner.TryGetValue(name, out var file) ? file : throw new CheckpointException($"{Folder}: no tensor named '{name}'");

    private static CheckpointReader OpenSharded(string folder, string indexPath)
    {
        Dictionary<string, string> weightMap;
        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllBytes(indexPath));
            if (!doc.RootElement.TryGetProperty("weight_map", out var map) || map.ValueKind != JsonValueKind.Object)
                throw new CheckpointException($"{indexPath}: missing object 'weight_map'");
            weightMap = map.EnumerateObject().ToDictionary(
                p => p.Name,
                p => p.Value.ValueKind == JsonValueKind.String
                    ? p.Value.GetString()!
                    : throw new CheckpointException($"{indexPath}: weight_map['{p.Name}'] must be a file name"),
                StringComparer.Ordinal);
        }
        catch (JsonException e)
        {
            throw new CheckpointException($"{indexPath}: not valid JSON: {e.Message}", e);
        }

        var files = new List<SafeTensorsFile>();
        try
        {
            var byName = new Dictionary<string, SafeTensorsFile>(StringComparer.Ordinal);
            foreach (var shard in weightMap.Values.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal))
            {
                if (shard.Contains('/') || shard.Contains('\\') || shard.Contains(".."))
                    throw new CheckpointException($"{indexPath}: shard name '{shard}' must be a plain file name");
                string shardPath = Path.Combine(folder, shard);
                if (!File.Exists(shardPath))
                    throw new CheckpointException($"{indexPath}: shard '{shard}' does not exist");
                var file = SafeTensorsFile.Open(shardPath);
                files.Add(file);
                byName[shard] = file;
            }

            var owner = new Dictionary<string, SafeTensorsFile>(StringComparer.Ordinal);
            foreach (var (tensor, shard) in weightMap)
            {
                var file = byName[shard];
                if (!file.Entries.ContainsKey(tensor))
                    throw new CheckpointException($"{file.Path}: index lists tensor '{tensor}' in this shard but the shard has no such tensor");
                owner[tensor] = file;
            }
            foreach (var file in files)
            {
                foreach (var tensor in file.Entries.Keys)
                {
                    if (!weightMap.TryGetValue(tensor, out var listed))
                        throw new CheckpointException($"{file.Path}: tensor '{tensor}' is not listed in {IndexFileName}");
                    if (byName[listed] != file)
                        throw new CheckpointException($"{file.Path}: tensor '{tensor}' is also stored in shard '{listed}'");
                }
            }
            return new CheckpointReader(folder, files, owner);
        }
        catch
        {
            foreach (var file in files) file.Dispose();
            throw;
        }
    }
}
