namespace Serving.Host.Tests.Deployment;

/// <summary>A build stage: its base (FROM image or an earlier stage's name), its own name, its instructions after FROM.</summary>
internal sealed record DockerStage(string From, string? Name, IReadOnlyList<DockerInstruction> Instructions)
{
    public IEnumerable<DockerInstruction> All(string keyword) => Instructions.Where(i => i.Keyword == keyword);

    /// <summary>The image without tag or digest: mcr.microsoft.com/dotnet/aspnet.</summary>
    public string Repository => TagColon < 0 ? Image : Image[..TagColon];

    /// <summary>The tag (10.0-noble), empty if none.</summary>
    public string Tag => TagColon < 0 ? "" : Image[(TagColon + 1)..];

    string Image => From.Split('@')[0];

    // A colon after the last '/' (one before it belongs to a registry's port).
    int TagColon => Image.LastIndexOf(':') > Image.LastIndexOf('/') ? Image.LastIndexOf(':') : -1;
}
