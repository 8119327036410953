using Serving.Host;

namespace Serving.EndToEnd.Tests.Support;

/// <summary>
/// A gateway and one mixed worker with tight bounds — one waiting request per engine, a 3 s request deadline — and the
/// hang hook, so a test can freeze the engine and watch the bounds act.
/// </summary>
public sealed class BoundedHost : FreezableHost
{
    public const double RequestTimeoutSeconds = 3;

    private protected override HostSettings Settings(int httpPort) => new()
    {
        HttpPort = httpPort,
        Roles = new HashSet<string> { "gateway", "mixed" },
        MaxWaiting = 1,
        RequestTimeoutSeconds = RequestTimeoutSeconds,
        HangFile = HangFile,
    };
}
