namespace Serving.Host.Tests.Deployment;

/// <summary>
/// The repository as a build context: what .dockerignore lets through, and where a stage's COPY instructions put it.
/// Build outputs (bin/, obj/) are never walked.
/// </summary>
internal sealed class DockerBuildContext(string root, DockerIgnore ignore)
{
    /// <summary>
    /// Context path → absolute path in the stage, for every file the stage's COPY instructions (not those from another
    /// stage) copy before the first instruction <paramref name="stop"/> accepts.
    /// </summary>
    public IReadOnlyDictionary<string, string> Copied(DockerStage stage, Func<DockerInstruction, bool>? stop = null)
    {
        var copied = new Dictionary<string, string>(StringComparer.Ordinal);
        var workdir = "/";
        foreach (var instruction in stage.Instructions)
        {
            if (stop?.Invoke(instruction) == true)
                break;
            if (instruction.Keyword == "WORKDIR")
                workdir = Combine(workdir, instruction.Arguments.Trim());
            if (instruction.Keyword != "COPY" && instruction.Keyword != "ADD")
                continue;
            var words = instruction.Words.Where(w => !w.StartsWith("--", StringComparison.Ordinal)).ToArray();
            if (instruction.Words.Any(w => w.StartsWith("--from", StringComparison.Ordinal)))
                continue;
            Assert.False(instruction.Arguments.TrimStart().StartsWith('['), $"{instruction.Keyword} in JSON form is not read here: {instruction.Arguments}");
            var destination = Combine(workdir, words[^1]);
            var asFolder = words[^1].EndsWith('/') || words.Length > 2;
            foreach (var source in words[..^1])
            {
                Assert.DoesNotContain('*', source);
                var relative = Relative(source);
                if (Directory.Exists(Path.Combine(root, relative)))
                {
                    foreach (var file in FilesUnder(relative).Where(f => !ignore.Excludes(f)))
                        copied[file] = Combine(destination + "/", relative.Length == 0 ? file : file[(relative.Length + 1)..]);
                }
                else if (!ignore.Excludes(relative) && File.Exists(Path.Combine(root, relative)))
                    copied[relative] = asFolder ? Combine(destination + "/", Path.GetFileName(relative)) : destination;
            }
        }
        return copied;
    }

    /// <summary>The repository's files under a folder (context-relative, '/'-separated), outside bin/ and obj/.</summary>
    public IEnumerable<string> FilesUnder(string folder)
    {
        var start = Path.Combine(root, folder);
        var pending = new Stack<string>([start]);
        while (pending.Count > 0)
        {
            var dir = pending.Pop();
            foreach (var file in Directory.EnumerateFiles(dir))
                yield return Path.GetRelativePath(root, file).Replace('\\', '/');
            foreach (var sub in Directory.EnumerateDirectories(dir))
                if (Path.GetFileName(sub) is not ("bin" or "obj" or ".git"))
                    pending.Push(sub);
        }
    }

    static string Relative(string source)
    {
        var trimmed = source.Trim('/');
        return trimmed is "." ? "" : trimmed.StartsWith("./", StringComparison.Ordinal) ? trimmed[2..] : trimmed;
    }

    static string Combine(string directory, string path)
    {
        var combined = path.StartsWith('/') ? path : directory.TrimEnd('/') + "/" + path;
        var parts = new List<string>();
        foreach (var part in combined.Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            if (part == ".")
                continue;
            if (part == "..")
            {
                if (parts.Count > 0)
                    parts.RemoveAt(parts.Count - 1);
                continue;
            }
            parts.Add(part);
        }
        return "/" + string.Join('/', parts);
    }
}
