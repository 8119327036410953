using Microsoft.Extensions.DependencyInjection;
using Serving.Contracts;
using Serving.Cluster.Workers;
using Serving.EndToEnd.Tests.Support;

namespace Serving.EndToEnd.Tests.Planner;

/// <summary>
/// A worker's engine takes its role's prefill settings when it starts and again when the planner switches its role:
/// in a chunked cluster, a worker turned to prefill stops chunking, and one turned to decode chunks (never layered).
/// </summary>
public sealed class RoleEngineSettingsTests(ChunkedSwitchingHost host) : IClassFixture<ChunkedSwitchingHost>
{
    [Fact]
    public async Task SwitchingRoles_InAChunkedCluster_GivesEachEngineItsRolesPrefillSettings()
    {
        var workers = host.Services.GetRequiredService<LocalWorkers>().All.ToArray();
        var prefill = workers.Single(w => w.Role == WorkerRole.Prefill);
        var decode = workers.Single(w => w.Role == WorkerRole.Decode);
        Assert.Equal((1, 0), await EngineOf(prefill));
        Assert.Equal((1, ChunkedSwitchingHost.ChunkTokens), await EngineOf(decode));

        // The planner's G is for layered clusters; here the workers that decode keep chunking.
        Assert.True(await decode.ReconfigureAsync(WorkerRole.Prefill, layerGroups: 2, TimeSpan.FromSeconds(10)));
        Assert.True(await prefill.ReconfigureAsync(WorkerRole.Decode, layerGroups: 2, TimeSpan.FromSeconds(10)));

        Assert.Equal((1, 0), await EngineOf(decode));
        Assert.Equal((1, ChunkedSwitchingHost.ChunkTokens), await EngineOf(prefill));
        Assert.Equal(1, prefill.LayerGroups);

        Assert.True(await prefill.ReconfigureAsync(WorkerRole.Mixed, layerGroups: 4, TimeSpan.FromSeconds(10)));
        Assert.Equal((1, ChunkedSwitchingHost.ChunkTokens), await EngineOf(prefill));

        // Back as they started, so the host is what it says for anything else.
        await prefill.ReconfigureAsync(WorkerRole.Prefill, 1, TimeSpan.FromSeconds(10));
        await decode.ReconfigureAsync(WorkerRole.Decode, 1, TimeSpan.FromSeconds(10));
    }

    [Theory]
    [InlineData(WorkerRole.Prefill, 4, 0, 1, 0)]
    [InlineData(WorkerRole.Prefill, 1, 64, 1, 0)]
    [InlineData(WorkerRole.Decode, 4, 0, 4, 0)]
    [InlineData(WorkerRole.Decode, 1, 64, 1, 64)]
    [InlineData(WorkerRole.Mixed, 4, 0, 4, 0)]
    [InlineData(WorkerRole.Mixed, 4, 64, 1, 64)]
    public void For_GivesPrefillWorkersWholePrompts_AndTheOthersTheClustersMode(WorkerRole role, int groups, int chunk, int expectedGroups, int expectedChunk) =>
        Assert.Equal(new RoleEngineSettings(expectedGroups, expectedChunk), RoleEngineSettings.For(role, new ClusterEngineSettings(groups, chunk)));

    static Task<(int Groups, int Chunk)> EngineOf(LocalWorker worker) =>
        worker.Loop.InvokeAsync(e => (e.PrefillLayerGroups, e.PrefillChunkTokens));
}
