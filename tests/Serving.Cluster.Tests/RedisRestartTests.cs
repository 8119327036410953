using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using Serving.Cluster.Tests.Support;

namespace Serving.Cluster.Tests;

/// <summary>
/// Redis, the membership table's only home, stops and comes back while the README's three processes serve: with its
/// append-only file (the table survives) and without one (the table is gone and the running silos must write it
/// again). Either way the request in flight finishes, new requests succeed soon after, and a decode process started
/// afterwards joins the same cluster: the gateway lists it and routes to it, and one router knows every worker.
/// </summary>
public sealed class RedisRestartTests(Xunit.Abstractions.ITestOutputHelper output)
{
    // Long enough that the silos' Redis connections see it go; short enough to keep the test quick.
    static readonly TimeSpan Outage = TimeSpan.FromSeconds(2);
    static readonly TimeSpan Recovery = TimeSpan.FromSeconds(30);

    [Fact]
    public Task RedisRestartWithoutPersistence_RunningSilosRewriteTheTable_AndANewDecodeJoinsTheSameCluster() =>
        RestartRedisMidRun(appendOnly: false);

    [Fact]
    public Task RedisRestartWithAppendOnlyFile_KeepsTheTable_AndANewDecodeJoinsTheSameCluster() =>
        RestartRedisMidRun(appendOnly: true);

    async Task RestartRedisMidRun(bool appendOnly)
    {
        using var cluster = await ClusterProcesses.StartAsync(await RedisServer.StartAsync(appendOnly: appendOnly), extra: "",
            ("gateway", "gateway"), ("prefill", "prefill"), ("decode-a", "decode"));
        await cluster.WaitForWorkersAsync(2, TimeSpan.FromSeconds(60));
        var clusterId = $"test-{cluster.Redis.Port}";
        var running = cluster.Processes.Select(p => p.SiloPort).ToList();

        // A request in flight across the outage: Redis goes once its first tokens arrive.
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/completions")
        {
            Content = JsonContent.Create(new { prompt = "A story told while Redis restarts:", max_tokens = 600, temperature = 0, ignore_eos = true, stream = true }),
        };
        using var response = await cluster.Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        response.EnsureSuccessStatusCode();
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        var events = new CompletionEvents(reader);
        using var streamTimeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await using var stream = events.ReadAsync(streamTimeout.Token).GetAsyncEnumerator(streamTimeout.Token);
        Assert.True(await stream.MoveNextAsync(), "the stream ended before its first token");
        var inFlight = ReadRestAsync(stream);

        await cluster.Redis.StopAsync();
        await Task.Delay(Outage);
        await cluster.Redis.RestartAsync();
        var sinceBack = Stopwatch.StartNew();
        // Started as soon as Redis answers: it must find the running silos' table, not make one of its own.
        var late = cluster.StartAnother("decode-b", "decode");

        // New requests while the one in flight still streams.
        await CompleteWithinAsync(cluster, Recovery);
        output.WriteLine($"append-only: {appendOnly}; first new request served {sinceBack.ElapsedMilliseconds} ms after Redis came back");

        // Every running silo is in the table again (written back by them when Redis had lost it).
        await WaitForTableAsync(cluster, clusterId, running, Recovery - sinceBack.Elapsed);
        output.WriteLine($"table holds every running silo {sinceBack.ElapsedMilliseconds} ms after Redis came back");

        await late.WaitReadyAsync(TimeSpan.FromSeconds(90));
        await cluster.WaitForWorkersAsync(3, TimeSpan.FromSeconds(30));
        output.WriteLine($"decode-b (started after the restart) listed by the gateway {sinceBack.ElapsedMilliseconds} ms after Redis came back");

        // The least-loaded policy gives an idle worker never assigned before the next request; allow a few in case
        // the two decode workers report different loads at that moment.
        var reached = false;
        for (var i = 0; i < 4 && !reached; i++)
        {
            var id = await CompleteAsync(cluster.Http);
            reached = cluster["gateway"].Output.Any(l => l.Contains($"Request {id}: decode on", StringComparison.Ordinal) && l.Contains($":{late.SiloPort}@", StringComparison.Ordinal));
        }
        Assert.True(reached, $"no request reached the decode process started after the restart{Environment.NewLine}{cluster.Logs()}");

        var (finish, errors) = await inFlight;
        Assert.True(events.Done, $"the request in flight did not finish{Environment.NewLine}{cluster.Logs()}");
        Assert.Equal(0, errors);
        Assert.Equal("length", finish);

        // One router: every "joined" line (the router's, on the silo it lives on) comes from one process, the late
        // decode worker's included. A split cluster has a second router on the newcomer, which logs its own worker.
        var routers = cluster.Processes.Where(p => p.Output.Any(l => l.Contains(" joined as ", StringComparison.Ordinal))).ToList();
        var router = Assert.Single(routers);
        Assert.Contains(router.Output, l => l.Contains($":{late.SiloPort}@", StringComparison.Ordinal) && l.Contains(" joined as Decode", StringComparison.Ordinal));

        foreach (var p in cluster.Processes)
            foreach (var line in p.Output.Where(l => l.Contains("Serving.Host.Clustering", StringComparison.Ordinal)))
                output.WriteLine($"[{p.Name}] {line}");
    }

    /// <summary>The rest of a streamed completion: its finish reason, and how many error events came.</summary>
    static async Task<(string? FinishReason, int Errors)> ReadRestAsync(IAsyncEnumerator<JsonElement> stream)
    {
        string? finish = null;
        var errors = 0;
        while (await stream.MoveNextAsync())
        {
            if (stream.Current.TryGetProperty("error", out _))
                errors++;
            else if (stream.Current.GetProperty("choices") is { ValueKind: JsonValueKind.Array } choices && choices.GetArrayLength() > 0
                     && choices[0].GetProperty("finish_reason") is { ValueKind: JsonValueKind.String } reason)
                finish = reason.GetString();
        }
        return (finish, errors);
    }

    static async Task CompleteWithinAsync(ClusterProcesses cluster, TimeSpan within)
    {
        var deadline = DateTime.UtcNow + within;
        while (true)
        {
            try
            {
                await CompleteAsync(cluster.Http);
                return;
            }
            catch (Exception e) when (DateTime.UtcNow < deadline && e is HttpRequestException or Xunit.Sdk.XunitException)
            {
                await Task.Delay(250);
            }
        }
    }

    /// <summary>A short completion that must succeed; its request id.</summary>
    static async Task<string> CompleteAsync(HttpClient http)
    {
        using var response = await http.PostAsJsonAsync("/v1/completions", new { prompt = "After the restart", max_tokens = 4, temperature = 0, ignore_eos = true });
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{(int)response.StatusCode}: {body}");
        return JsonDocument.Parse(body).RootElement.GetProperty("id").GetString()!;
    }

    static async Task WaitForTableAsync(ClusterProcesses cluster, string clusterId, IEnumerable<int> siloPorts, TimeSpan within)
    {
        var deadline = DateTime.UtcNow + within;
        IReadOnlyDictionary<string, string> table;
        while (true)
        {
            table = await cluster.Redis.MembershipTableAsync(clusterId);
            var rows = table.Where(r => r.Key != "Version").ToList();
            // Rows are keyed by Orleans' silo address, "S<ip>:<port>:<generation>".
            if (siloPorts.All(port => rows.Any(r => r.Key.Contains($":{port}:", StringComparison.Ordinal))))
                return;
            if (DateTime.UtcNow >= deadline)
                break;
            await Task.Delay(250);
        }
        Assert.Fail($"the membership table lacks running silos: {string.Join(", ", table.Keys)}{Environment.NewLine}{cluster.Logs()}");
    }
}
