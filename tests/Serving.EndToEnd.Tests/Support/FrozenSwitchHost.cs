using Serving.Host;

namespace Serving.EndToEnd.Tests.Support;

/// <summary>A gateway and a mixed worker with the hang hook and a 2 s stall limit: a role switch can meet a frozen engine.</summary>
public sealed class FrozenSwitchHost : GatewayHost
{
    public string HangFile { get; } = Path.Combine(Path.GetTempPath(), $"serving-switch-hang-{Guid.NewGuid():N}");

    private protected override HostSettings Settings(int httpPort) => new()
    {
        HttpPort = httpPort,
        Roles = new HashSet<string> { "gateway", "mixed" },
        StallSeconds = 2,
        HangFile = HangFile,
        Planner = false,
    };

    public override async Task DisposeAsync()
    {
        File.Delete(HangFile);
        await base.DisposeAsync();
    }
}
