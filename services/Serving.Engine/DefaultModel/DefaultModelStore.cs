namespace Serving.Engine.DefaultModel;

/// <summary>Finds or creates the project's default model in a cache folder.</summary>
public static class DefaultModelStore
{
    /// <summary>Bump when the default model's bytes change, so stale caches are not reused.</summary>
    public const string FolderName = "tiny-llama-v1";

    public const string RootVariable = "SERVING_MODEL_DIR";

    /// <summary>
    /// Returns the default model's folder under <paramref name="root"/> (default: $SERVING_MODEL_DIR, else
    /// ~/.cache/serving/models), writing it first if absent. Written to a temp folder and renamed into place, so
    /// concurrent callers never see half-written files.
    /// </summary>
    public static string EnsureDefault(string? root = null)
    {
        root ??= DefaultRoot();
        string folder = Path.Combine(root, FolderName);
        if (Directory.Exists(folder)) return folder;

        Directory.CreateDirectory(root);
        string temp = Path.Combine(root, $".{FolderName}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
        try
        {
            TinyModelWriter.Write(temp, TinyModelSpec.Default);
            Directory.Move(temp, folder);
        }
        catch (IOException) when (Directory.Exists(folder))
        {
            // Another process finished first; its copy is identical.
        }
        finally
        {
            if (Directory.Exists(temp)) Directory.Delete(temp, recursive: true);
        }
        return folder;
    }

    public static string DefaultRoot()
    {
        string? fromEnvironment = Environment.GetEnvironmentVariable(RootVariable);
        if (!string.IsNullOrWhiteSpace(fromEnvironment)) return fromEnvironment;
        string home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        if (string.IsNullOrEmpty(home)) home = Path.GetTempPath();
        return Path.Combine(home, ".cache", "serving", "models");
    }
}
