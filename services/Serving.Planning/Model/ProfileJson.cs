using System.Text.Json;

namespace Serving.Planning.Model;

/// <summary>Reads and writes a <see cref="WorkerProfile"/> as JSON (camelCase, indented).</summary>
public static class ProfileJson
{
    private static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    /// <summary>The profile as JSON text.</summary>
    public static string Serialize(WorkerProfile profile) => JsonSerializer.Serialize(profile, Options);

    /// <summary>The profile in <paramref name="json"/>; throws <see cref="JsonException"/> when it is not one.</summary>
    public static WorkerProfile Deserialize(string json) =>
        JsonSerializer.Deserialize<WorkerProfile>(json, Options)
        ?? throw new JsonException("The JSON holds no profile.");

    /// <summary>Writes the profile to <paramref name="path"/>.</summary>
    public static Task SaveAsync(WorkerProfile profile, string path, CancellationToken cancellationToken = default) =>
        File.WriteAllTextAsync(path, Serialize(profile), cancellationToken);

    /// <summary>Loads a profile from <paramref name="path"/>.</summary>
    public static async Task<WorkerProfile> LoadAsync(string path, CancellationToken cancellationToken = default) =>
        Deserialize(await File.ReadAllTextAsync(path, cancellationToken));
}
