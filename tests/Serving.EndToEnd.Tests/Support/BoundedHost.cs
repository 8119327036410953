using Serving.Host;

namespace Serving.EndToEnd.Tests.Support;

/// <summary>
/// A gateway and one mixed worker with tight bounds — one waiting request per engine, a 3 s request deadline — and the
/// hang hook, so a test can freeze the engine and watch the bounds act.
/// </summary>
public sealed class BoundedHost : GatewayHost
{
    public const double RequestTimeoutSeconds = 3;

    public string HangFile { get; } = Path.Combine(Path.GetTempPath(), $"serving-bounded-hang-{Guid.NewGuid():N}");

    private protected override HostSettings Settings(int httpPort) => new()
    {
        HttpPort = httpPort,
        Roles = new HashSet<string> { "gateway", "mixed" },
        MaxWaiting = 1,
        RequestTimeoutSeconds = RequestTimeoutSeconds,
        HangFile = HangFile,
    };

    public override async Task DisposeAsync()
    {
        File.Delete(HangFile);
        await base.DisposeAsync();
    }
}
