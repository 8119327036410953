using System.Globalization;
using System.Text;

namespace Serving.LoadTest.ServerMetrics;

/// <summary>Reads Prometheus's text exposition format (version 0.0.4): <c>name{label="value",...} number</c> per line, comments skipped (the soak's KV check and the load tester's server counters).</summary>
internal static class PrometheusText
{
    public static List<PrometheusSample> Parse(string text)
    {
        var samples = new List<PrometheusSample>();
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.Trim();
            if (line.Length == 0 || line[0] == '#')
                continue;
            if (TryParse(line) is { } sample)
                samples.Add(sample);
        }
        return samples;
    }

    /// <summary>Each family's type from its <c># TYPE name type</c> line (counter, gauge, histogram, summary, untyped).</summary>
    public static Dictionary<string, string> Types(string text)
    {
        var types = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var raw in text.Split('\n'))
        {
            var parts = raw.Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (parts is ["#", "TYPE", var name, var type, ..])
                types[name] = type;
        }
        return types;
    }

    static PrometheusSample? TryParse(string line)
    {
        var brace = line.IndexOf('{');
        var space = line.IndexOf(' ');
        if (space < 0)
            return null;
        string name;
        var labels = new Dictionary<string, string>();
        string rest;
        if (brace >= 0 && brace < space)
        {
            name = line[..brace];
            var close = ReadLabels(line, brace + 1, labels);
            if (close < 0)
                return null;
            rest = line[(close + 1)..].Trim();
        }
        else
        {
            name = line[..space];
            rest = line[space..].Trim();
        }
        // A timestamp may follow the value.
        var value = rest.Split(' ', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault();
        return value is not null && TryValue(value, out var number) ? new PrometheusSample(name, labels, number) : null;
    }

    /// <summary>Reads <c>a="x",b="y"}</c> from <paramref name="at"/>; returns the index of the closing brace, -1 when malformed.</summary>
    static int ReadLabels(string line, int at, Dictionary<string, string> labels)
    {
        var i = at;
        while (i < line.Length)
        {
            if (line[i] == '}')
                return i;
            if (line[i] is ',' or ' ')
            {
                i++;
                continue;
            }
            var eq = line.IndexOf('=', i);
            if (eq < 0 || eq + 1 >= line.Length || line[eq + 1] != '"')
                return -1;
            var key = line[i..eq];
            var value = new StringBuilder();
            var j = eq + 2;
            for (; j < line.Length && line[j] != '"'; j++)
            {
                if (line[j] == '\\' && j + 1 < line.Length)
                {
                    j++;
                    value.Append(line[j] == 'n' ? '\n' : line[j]);
                }
                else
                    value.Append(line[j]);
            }
            if (j >= line.Length)
                return -1;
            labels[key] = value.ToString();
            i = j + 1;
        }
        return -1;
    }

    static bool TryValue(string text, out double value)
    {
        switch (text)
        {
            case "+Inf":
                value = double.PositiveInfinity;
                return true;
            case "-Inf":
                value = double.NegativeInfinity;
                return true;
            case "NaN":
                value = double.NaN;
                return true;
            default:
                return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out value);
        }
    }
}
