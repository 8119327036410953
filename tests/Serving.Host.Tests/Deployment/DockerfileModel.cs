namespace Serving.Host.Tests.Deployment;

/// <summary>deploy/docker/Dockerfile read into stages, as `docker build` reads it (comments dropped, `\` lines joined).</summary>
internal sealed class DockerfileModel
{
    DockerfileModel(IReadOnlyList<DockerStage> stages) => Stages = stages;

    public IReadOnlyList<DockerStage> Stages { get; }

    /// <summary>The stage the image is made of.</summary>
    public DockerStage Final => Stages[^1];

    /// <summary>The stage `name` (`FROM ... AS name`).</summary>
    public DockerStage Stage(string name) => Stages.Single(s => s.Name == name);

    public static DockerfileModel Load(string path)
    {
        var stages = new List<DockerStage>();
        (string From, string? Name, List<DockerInstruction> Body)? current = null;
        foreach (var instruction in Instructions(File.ReadAllLines(path)))
        {
            if (instruction.Keyword == "FROM")
            {
                if (current is { } done)
                    stages.Add(new DockerStage(done.From, done.Name, done.Body));
                var words = instruction.Words.Where(w => !w.StartsWith("--", StringComparison.Ordinal)).ToArray();
                current = (words[0], words.Length >= 3 && words[1].Equals("AS", StringComparison.OrdinalIgnoreCase) ? words[2] : null, []);
            }
            else
                current?.Body.Add(instruction);
        }
        if (current is { } last)
            stages.Add(new DockerStage(last.From, last.Name, last.Body));
        Assert.NotEmpty(stages);
        return new DockerfileModel(stages);
    }

    static IEnumerable<DockerInstruction> Instructions(IEnumerable<string> lines)
    {
        var pending = "";
        foreach (var raw in lines)
        {
            var line = raw.Trim();
            if (line.StartsWith('#') || (line.Length == 0 && pending.Length == 0))
                continue;
            if (line.EndsWith('\\'))
            {
                pending += line[..^1] + " ";
                continue;
            }
            var text = (pending + line).Trim();
            pending = "";
            if (text.Length == 0)
                continue;
            var space = text.IndexOfAny([' ', '\t']);
            yield return space < 0
                ? new DockerInstruction(text.ToUpperInvariant(), "")
                : new DockerInstruction(text[..space].ToUpperInvariant(), text[(space + 1)..].Trim());
        }
    }
}
