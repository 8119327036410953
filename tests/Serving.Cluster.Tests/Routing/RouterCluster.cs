using Orleans.TestingHost;
using Serving.Contracts;

namespace Serving.Cluster.Tests.Routing;

/// <summary>
/// A real (in-process) one-silo Orleans test cluster for router tests, configured by <typeparamref name="TSetup"/>;
/// each test takes a fresh router (grains keyed 1, 2, ... share the silo but not their state).
/// </summary>
public abstract class RouterCluster<TSetup> : IAsyncLifetime where TSetup : ISiloConfigurator, new()
{
    TestCluster cluster = null!;
    int routerKey;

    public async Task InitializeAsync()
    {
        var builder = new TestClusterBuilder(1);
        builder.AddSiloBuilderConfigurator<TSetup>();
        cluster = builder.Build();
        await cluster.DeployAsync();
    }

    public async Task DisposeAsync() => await cluster.DisposeAsync();

    private protected IRouterGrain Router() => cluster.GrainFactory.GetGrain<IRouterGrain>(Interlocked.Increment(ref routerKey));

    /// <summary>The grain key of a worker of this silo.</summary>
    private protected string Key(string name) => WorkerKey.For(cluster.Primary!.SiloAddress, name);
}
