namespace Serving.Host;

/// <summary>Reads a secret (API keys, a password) from a file such as a mounted Kubernetes Secret, so it never has to be on a command line.</summary>
internal static class SecretFile
{
    /// <summary>The file's content without surrounding whitespace; null when no file is given.</summary>
    public static string? Read(string? path, string option)
    {
        if (path is null)
            return null;
        if (Directory.Exists(path))
            throw new SecretFileException($"{option} '{path}' is a folder; give the file in it.");
        if (!File.Exists(path))
            throw new SecretFileException($"{option} '{path}' does not exist.");
        string value;
        try
        {
            value = File.ReadAllText(path).Trim();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new SecretFileException($"{option} '{path}' cannot be read ({e.GetType().Name}): check its owner and mode.");
        }
        return value.Length > 0 ? value : throw new SecretFileException($"{option} '{path}' is empty.");
    }

    /// <summary>The entries of a file of values, one per line or comma-separated.</summary>
    public static string[] ReadList(string? path, string option) =>
        Read(path, option)?.Split([',', '\n', '\r'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) ?? [];
}
