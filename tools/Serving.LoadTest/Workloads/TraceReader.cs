using System.Globalization;
using System.Text.Json;

namespace Serving.LoadTest.Workloads;

/// <summary>
/// Reads a replay trace, one request per line: CSV <c>arrival_s,prompt_tokens,output_tokens</c> (a header line
/// and <c>#</c> comments are skipped), or JSON lines with <c>arrival_s</c> (seconds) or <c>timestamp</c>
/// (milliseconds, as the Mooncake traces write it) and <c>prompt_tokens</c>/<c>input_length</c>,
/// <c>output_tokens</c>/<c>output_length</c>.
/// </summary>
internal static class TraceReader
{
    public static List<(double ArrivalS, int PromptTokens, int OutputTokens)> Read(string path)
    {
        var entries = new List<(double, int, int)>();
        var number = 0;
        foreach (var raw in File.ReadLines(path))
        {
            number++;
            var line = raw.Trim();
            if (line.Length == 0 || line.StartsWith('#'))
                continue;
            var entry = line.StartsWith('{') ? Json(line) : Csv(line);
            if (entry is { } e)
                entries.Add(e);
            else if (entries.Count > 0 || char.IsDigit(line[0]))
                throw new FormatException($"{path}:{number}: expected arrival, prompt tokens and output tokens, got '{line}'");
        }
        return entries;
    }

    static (double, int, int)? Csv(string line)
    {
        var parts = line.Split([',', ' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
        return parts.Length >= 3
            && double.TryParse(parts[0], NumberStyles.Float, CultureInfo.InvariantCulture, out var at)
            && int.TryParse(parts[1], CultureInfo.InvariantCulture, out var prompt) && prompt > 0
            && int.TryParse(parts[2], CultureInfo.InvariantCulture, out var output) && output > 0
            ? (at, prompt, output)
            : null;
    }

    static (double, int, int)? Json(string line)
    {
        using var json = JsonDocument.Parse(line);
        var root = json.RootElement;
        double? at = Number(root, "arrival_s") ?? Number(root, "timestamp") / 1000.0;
        var prompt = Number(root, "prompt_tokens") ?? Number(root, "input_length");
        var output = Number(root, "output_tokens") ?? Number(root, "output_length");
        return at is { } a && prompt is > 0 && output is > 0 ? (a, (int)prompt.Value, (int)output.Value) : null;
    }

    static double? Number(JsonElement root, string name) =>
        root.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number ? v.GetDouble() : null;
}
