using System.Text;
using System.Text.RegularExpressions;

namespace Serving.Host.Tests.Deployment;

/// <summary>
/// A .dockerignore as docker reads it: one pattern a line (`*`, `?`, `**` for any folders), `!` for an exception;
/// a path is left out when the last pattern that matches it or one of its parent folders is not an exception.
/// </summary>
internal sealed class DockerIgnore
{
    readonly List<(Regex Pattern, bool Exception)> patterns = [];

    DockerIgnore(IEnumerable<string> lines)
    {
        foreach (var raw in lines)
        {
            var line = raw.Trim();
            if (line.Length == 0 || line.StartsWith('#'))
                continue;
            var exception = line.StartsWith('!');
            var pattern = (exception ? line[1..] : line).Trim().Trim('/');
            if (pattern.StartsWith("./", StringComparison.Ordinal))
                pattern = pattern[2..];
            patterns.Add((ToRegex(pattern), exception));
        }
    }

    public static DockerIgnore Load(string path) => new(File.ReadAllLines(path));

    /// <summary>Whether the file or folder at <paramref name="path"/> (relative to the context, '/'-separated) stays out of the build.</summary>
    public bool Excludes(string path)
    {
        var excluded = false;
        foreach (var (pattern, exception) in patterns)
            if (MatchesOrParentMatches(pattern, path.Trim('/')))
                excluded = !exception;
        return excluded;
    }

    static bool MatchesOrParentMatches(Regex pattern, string path)
    {
        var parts = path.Split('/');
        for (var n = parts.Length; n >= 1; n--)
            if (pattern.IsMatch(string.Join('/', parts[..n])))
                return true;
        return false;
    }

    static Regex ToRegex(string pattern)
    {
        var regex = new StringBuilder("^");
        for (var i = 0; i < pattern.Length; i++)
        {
            var c = pattern[i];
            if (c == '*' && i + 1 < pattern.Length && pattern[i + 1] == '*')
            {
                // `**/` is any number of folders, including none; a final `**` is anything.
                if (i + 2 < pattern.Length && pattern[i + 2] == '/')
                {
                    regex.Append("(.*/)?");
                    i += 2;
                }
                else
                {
                    regex.Append(".*");
                    i++;
                }
            }
            else if (c == '*')
                regex.Append("[^/]*");
            else if (c == '?')
                regex.Append("[^/]");
            else
                regex.Append(Regex.Escape(c.ToString()));
        }
        return new Regex(regex.Append('$').ToString(), RegexOptions.CultureInvariant);
    }
}
