using System.Net.Http.Json;
using System.Text.Json;
using Serving.Cluster.Tests.Support;
using Serving.Engine.DefaultModel;
using Serving.Engine.Engine;

namespace Serving.Cluster.Tests;

/// <summary>
/// Redis, then a gateway, a prefill worker and two decode workers as separate `serving` processes joined through it;
/// and a single engine in the test process for the outputs they must match.
/// </summary>
public sealed class MultiProcessClusterFixture : IAsyncLifetime
{
    RedisServer? redis;
    readonly List<ServingProcess> processes = [];

    internal ServingProcess Gateway { get; private set; } = null!;
    internal IReadOnlyList<ServingProcess> Decoders { get; private set; } = [];
    public HttpClient Http { get; } = new() { Timeout = TimeSpan.FromSeconds(120) };
    public LlmEngine Reference { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var model = DefaultModelStore.EnsureDefault();
        redis = await RedisServer.StartAsync();
        Gateway = Start("gateway", "gateway");
        var prefill = Start("prefill", "prefill");
        Decoders = [Start("decode-a", "decode"), Start("decode-b", "decode")];
        foreach (var p in processes)
            await p.WaitReadyAsync(TimeSpan.FromSeconds(90));
        Http.BaseAddress = new Uri($"http://127.0.0.1:{Gateway.HttpPort}");
        await WaitForWorkersAsync(3, TimeSpan.FromSeconds(60));
        Reference = LlmEngine.Create(new EngineOptions { Device = "cpu", DType = "float32", KvCacheBytes = 64L << 20 });

        ServingProcess Start(string name, string roles)
        {
            var p = ServingProcess.Start(name, roles, redis!, model);
            processes.Add(p);
            return p;
        }
    }

    /// <summary>Waits until /health lists the given number of workers.</summary>
    public async Task WaitForWorkersAsync(int count, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        var last = "";
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                using var response = await Http.GetAsync("/health");
                last = await response.Content.ReadAsStringAsync();
                if (response.IsSuccessStatusCode && JsonDocument.Parse(last).RootElement.GetProperty("workers").GetArrayLength() == count)
                    return;
            }
            catch (HttpRequestException e)
            {
                last = e.Message;
            }
            await Task.Delay(200);
        }
        throw new TimeoutException($"the cluster did not reach {count} workers; last health: {last}{Environment.NewLine}{Logs()}");
    }

    public string Logs() => string.Join(Environment.NewLine, processes.SelectMany(p => p.Output.Select(l => $"[{p.Name}] {l}")));

    public Task DisposeAsync()
    {
        foreach (var p in processes)
            p.Dispose();
        redis?.Dispose();
        Reference?.Dispose();
        Http.Dispose();
        return Task.CompletedTask;
    }
}
