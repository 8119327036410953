namespace Serving.Host.Tests.Deployment;

/// <summary>One Dockerfile instruction, continuation lines joined: `COPY a b ./` is ("COPY", "a b ./").</summary>
internal sealed record DockerInstruction(string Keyword, string Arguments)
{
    public string[] Words => Arguments.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
}
