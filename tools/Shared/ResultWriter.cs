using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Serving.Tools.Shared;

/// <summary>
/// Writes a tool's results (compiled into each tool that has some): the JSON, with one set of options for every tool,
/// and the markdown beside it when there is one; creates the folder and prints where each file went.
/// </summary>
internal static class ResultWriter
{
    /// <summary>snake_case names and enums, non-ASCII text as it is, NaN and infinities as names (an empty level's medians are NaN).</summary>
    public static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
    };

    /// <summary>The full path of <paramref name="path"/>, with its folder created (for files a run writes beside its results).</summary>
    public static string Prepare(string path)
    {
        var full = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        return full;
    }

    /// <summary>
    /// Writes <paramref name="value"/> as JSON to <paramref name="path"/> and, when given, <paramref name="markdown"/>
    /// beside it as <paramref name="markdownName"/>; returns the JSON's full path.
    /// </summary>
    public static string Write<T>(string path, T value, string? markdown = null, string markdownName = "summary.md")
    {
        var full = Prepare(path);
        File.WriteAllText(full, JsonSerializer.Serialize(value, Json));
        Console.WriteLine($"wrote {full}");
        if (markdown is not null)
            WriteMarkdown(Path.Combine(Path.GetDirectoryName(full)!, markdownName), markdown);
        return full;
    }

    /// <summary>Writes <paramref name="markdown"/> to <paramref name="path"/>; returns its full path.</summary>
    public static string WriteMarkdown(string path, string markdown)
    {
        var full = Prepare(path);
        File.WriteAllText(full, markdown);
        Console.WriteLine($"wrote {full}");
        return full;
    }
}
