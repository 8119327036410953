namespace Serving.Host.Tests.Deployment;

/// <summary>A service's volume: a named volume or host path (Source, empty for an anonymous volume) on Target.</summary>
internal sealed record ComposeMount(string Source, string Target, bool ReadOnly);
