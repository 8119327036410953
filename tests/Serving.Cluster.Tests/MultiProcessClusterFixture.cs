using Serving.Cluster.Tests.Support;
using Serving.Engine.Core;

namespace Serving.Cluster.Tests;

/// <summary>
/// Redis, then a gateway, a prefill worker and two decode workers as separate `serving` processes joined through it;
/// and a single engine in the test process for the outputs they must match.
/// </summary>
public sealed class MultiProcessClusterFixture : IAsyncLifetime
{
    ClusterProcesses cluster = null!;

    internal ServingProcess Gateway => cluster["gateway"];
    internal IReadOnlyList<ServingProcess> Decoders => [cluster["decode-a"], cluster["decode-b"]];
    public HttpClient Http => cluster.Http;
    public LlmEngine Reference { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        cluster = await ClusterProcesses.StartAsync(redisPassword: false, extra: "",
            ("gateway", "gateway"), ("prefill", "prefill"), ("decode-a", "decode"), ("decode-b", "decode"));
        await cluster.WaitForWorkersAsync(3, TimeSpan.FromSeconds(60));
        Reference = LlmEngine.Create(new EngineOptions { Device = "cpu", DType = "float32", KvCacheBytes = 64L << 20 });
    }

    public string Logs() => cluster.Logs();

    public Task DisposeAsync()
    {
        cluster?.Dispose();
        Reference?.Dispose();
        return Task.CompletedTask;
    }
}
