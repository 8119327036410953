namespace Serving.EndToEnd.Tests.Support;

/// <summary>A host whose engines a test can freeze: while <see cref="HangFile"/> exists they hang (the --debug-hang-file hook).</summary>
public abstract class FreezableHost : GatewayHost
{
    public string HangFile { get; } = Path.Combine(Path.GetTempPath(), $"serving-hang-{Guid.NewGuid():N}");

    public override async Task DisposeAsync()
    {
        File.Delete(HangFile);
        await base.DisposeAsync();
    }
}
