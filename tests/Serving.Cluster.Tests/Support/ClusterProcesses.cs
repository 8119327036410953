using System.Text.Json;
using Serving.Engine.DefaultModel;

namespace Serving.Cluster.Tests.Support;

/// <summary>
/// A real Redis and `serving` processes joined through it, the first of them a gateway the <see cref="Http"/> client
/// talks to; every process's output is kept for failure messages.
/// </summary>
internal sealed class ClusterProcesses : IDisposable
{
    static readonly Lazy<string> model = new(() => DefaultModelStore.EnsureDefault());
    readonly List<ServingProcess> processes = [];
    string extra = "";

    ClusterProcesses(RedisServer redis) => Redis = redis;

    public RedisServer Redis { get; }
    public HttpClient Http { get; } = new() { Timeout = TimeSpan.FromSeconds(120) };
    public IReadOnlyList<ServingProcess> Processes => processes;

    public ServingProcess this[string name] => processes.Single(p => p.Name == name);

    /// <param name="extra">Options every process gets.</param>
    /// <param name="members">(name, roles) of each process; the first must be a gateway.</param>
    public static async Task<ClusterProcesses> StartAsync(bool redisPassword, string extra, params (string Name, string Roles)[] members) =>
        await StartAsync(await RedisServer.StartAsync(redisPassword), extra, members);

    /// <param name="redis">The Redis they join through; stopped with them.</param>
    public static async Task<ClusterProcesses> StartAsync(RedisServer redis, string extra, params (string Name, string Roles)[] members)
    {
        var cluster = new ClusterProcesses(redis) { extra = extra };
        try
        {
            foreach (var (name, roles) in members)
                cluster.processes.Add(ServingProcess.Start(name, roles, cluster.Redis, model.Value, extra: extra));
            foreach (var p in cluster.processes)
                await p.WaitReadyAsync(TimeSpan.FromSeconds(90));
            cluster.Http.BaseAddress = new Uri($"http://127.0.0.1:{cluster.processes[0].HttpPort}");
            return cluster;
        }
        catch
        {
            cluster.Dispose();
            throw;
        }
    }

    /// <summary>Starts one more process with the options the others got; <see cref="ServingProcess.WaitReadyAsync"/> waits for it.</summary>
    public ServingProcess StartAnother(string name, string roles)
    {
        var process = ServingProcess.Start(name, roles, Redis, model.Value, extra: extra);
        processes.Add(process);
        return process;
    }

    /// <summary>Waits until the gateway's /health lists the given number of workers.</summary>
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

    public void Dispose()
    {
        foreach (var p in processes)
            p.Dispose();
        Redis.Dispose();
        Http.Dispose();
    }
}
