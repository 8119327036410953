using System.Xml.Linq;

namespace Serving.Host.Tests.Deployment;

/// <summary>The files `dotnet publish` of a project reads from the repository (paths relative to its root).</summary>
internal static class ProjectInputs
{
    static readonly string[] ItemTypes = ["Compile", "Protobuf", "None", "Content", "EmbeddedResource"];

    /// <summary>The project file and those of every project it references, directly or not.</summary>
    public static IReadOnlyList<string> Projects(string root, string project)
    {
        var found = new List<string>();
        var pending = new Queue<string>([project]);
        while (pending.TryDequeue(out var next))
        {
            if (found.Contains(next))
                continue;
            found.Add(next);
            foreach (var reference in Includes(root, next, "ProjectReference"))
                pending.Enqueue(reference);
        }
        return found;
    }

    /// <summary>Items the projects include from outside their own folders (tools/Shared/PlotFonts.cs, proto/...).</summary>
    public static IReadOnlyList<string> SharedItems(string root, IEnumerable<string> projects)
    {
        var shared = new List<string>();
        foreach (var project in projects)
        {
            var folder = Path.GetDirectoryName(project)!.Replace('\\', '/') + "/";
            shared.AddRange(ItemTypes.SelectMany(t => Includes(root, project, t)).Where(f => !f.StartsWith(folder, StringComparison.Ordinal)));
        }
        return shared.Distinct().ToList();
    }

    /// <summary>The repository-wide build files: global.json, Directory.*.props/targets and what they import.</summary>
    public static IReadOnlyList<string> BuildFiles(string root)
    {
        var files = new List<string>();
        foreach (var file in new[] { "global.json", "Directory.Build.props", "Directory.Build.targets", "Directory.Packages.props" })
        {
            if (!File.Exists(Path.Combine(root, file)))
                continue;
            files.Add(file);
            if (file.EndsWith(".json", StringComparison.Ordinal))
                continue;
            foreach (var import in XDocument.Load(Path.Combine(root, file)).Descendants().Where(e => e.Name.LocalName == "Import"))
                files.Add(((string)import.Attribute("Project")!).Replace("$(MSBuildThisFileDirectory)", "", StringComparison.Ordinal));
        }
        return files;
    }

    // The Include paths of one item type, resolved against the project's folder (wildcards and properties left out).
    static IEnumerable<string> Includes(string root, string project, string itemType)
    {
        var folder = Path.GetDirectoryName(Path.Combine(root, project))!;
        return XDocument.Load(Path.Combine(root, project)).Descendants()
            .Where(e => e.Name.LocalName == itemType && e.Attribute("Include") is not null)
            .Select(e => (string)e.Attribute("Include")!)
            .Where(p => !p.Contains('*') && !p.Contains("$(", StringComparison.Ordinal))
            .Select(p => Path.GetRelativePath(root, Path.GetFullPath(Path.Combine(folder, p))).Replace('\\', '/'));
    }
}
