using Serving.Host;
using Serving.Planning.Model;

namespace Serving.EndToEnd.Tests.Support;

/// <summary>
/// One prefill and two decode workers with the runtime planner on, planning from <see cref="Profile"/> (a synthetic
/// latency model with easy numbers: a 512-token prompt takes about a second to prefill), choosing only among P/D
/// splits. Rounds run when a test asks (the timer's interval is an hour), and may change the setup at any time.
/// </summary>
public sealed class ReplanningHost : GatewayHost
{
    public static readonly WorkerProfile Profile = new(
        "synthetic", "synthetic", 8,
        new PrefillModel(0.01, 0.002, 0),
        new DecodeModel(0.01, 0.001, 0),
        0,
        new TransferModel(8192, 5e8, 0.001));

    readonly string profilePath = Path.Combine(Path.GetTempPath(), $"serving-test-profile-{Guid.NewGuid():N}.json");

    private protected override HostSettings Settings(int httpPort)
    {
        File.WriteAllText(profilePath, ProfileJson.Serialize(Profile));
        return new()
        {
            HttpPort = httpPort,
            Roles = new HashSet<string> { "gateway", "prefill", "decode" },
            PrefillWorkers = 1,
            DecodeWorkers = 2,
            KvCacheMb = 64,
            ProfilePath = profilePath,
            SloTtftMs = 3000,
            SloTpotMs = 50,
            ReplanIntervalSeconds = 3600,
            ReplanMinIntervalSeconds = 0,
            PlannerWindowSeconds = 2,
            PlannerColocated = false,
            PlannerLayerGroups = [1],
            PlannerThresholds = [0],
        };
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        File.Delete(profilePath);
    }
}
