using Serving.GatewayBench.Client;
using Serving.GatewayBench.Reporting;
using Serving.Tools.Shared;

namespace Serving.GatewayBench;

/// <summary>
/// The parent's whole run: the server in a child process, warm-up rounds until its JIT is quiet, then repetitions that
/// go through every level in a rotating order.
/// </summary>
internal sealed class GatewayBenchRun(GatewayBenchOptions options)
{
    const int MinWarmUpRounds = 2;
    const int MaxWarmUpRounds = 6;
    const int QuietJitMethods = 100;

    public List<LevelSample> Samples { get; } = [];
    public Dictionary<string, string> Settings { get; } = [];

    public async Task RunAsync(string serverLog)
    {
        var maxLevel = options.Levels.Max();
        var maxConcurrent = 2 * maxLevel;
        Progress($"starting the server (gateway + one mixed worker on the fake engine, {options.IntervalMs} ms interval)");
        await using var server = await ServerProcess.StartAsync(options.IntervalMs, maxConcurrent, serverLog);
        using var http = new HttpClient(new System.Net.Http.SocketsHttpHandler
        {
            MaxConnectionsPerServer = int.MaxValue,
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(10),
        })
        { BaseAddress = new Uri($"http://127.0.0.1:{server.Port}"), Timeout = TimeSpan.FromMinutes(5) };
        RecordSettings(server, maxLevel, maxConcurrent);

        // Warm-up rounds (not recorded) open the connections and let tiered JIT settle: after one round a profile
        // of the server still showed a third of its CPU in the JIT. Rounds go on until one compiles few methods.
        var warmUp = 0;
        for (long compiled = long.MaxValue; warmUp < MaxWarmUpRounds && (warmUp < MinWarmUpRounds || compiled > QuietJitMethods); warmUp++)
        {
            compiled = 0;
            foreach (var streams in options.Levels)
                compiled += (await RunLevelAsync(http, server, streams, rep: 0, $"warm-up {warmUp + 1}")).ServerJitMethods;
        }
        Settings["warm_up"] = $"{warmUp} rounds of every level (until a round's server JIT compiled ≤ {QuietJitMethods} methods, at most {MaxWarmUpRounds} rounds)";

        for (var rep = 1; rep <= options.Reps; rep++)
            foreach (var streams in Rotate(options.Levels, rep))
                Samples.Add(await RunLevelAsync(http, server, streams, rep, $"rep {rep}/{options.Reps}"));
    }

    async Task<LevelSample> RunLevelAsync(HttpClient http, ServerProcess server, int streams, int rep, string label)
    {
        var s = await LevelRun.RunAsync(http, server, streams, rep, options.MaxTokens, options.IntervalMs);
        Progress($"{label}: {streams} streams: {s.Errors} errors{(s.FirstError is { } e ? $" (first: {Trim(e)})" : "")}, all open {s.AllOpen} (max {s.MaxOpen}), " +
            $"added median {s.AddedMedianMs:0.000} p90 {s.AddedP90Ms:0.000} p99 {s.AddedP99Ms:0.000} mean {s.AddedMeanMs:0.000} ms, bunched {s.BunchedShare:P0}, loop share {s.ServerAddedMedianMs:0.000} ms, " +
            $"delivery {s.DeliveryMedianMs:0.00} ms, {s.TokensPerS:0} tokens/s, fake late {s.FakeLateMedianMs:0.000} ms, " +
            $"CPU/token {s.ServerCpuUsPerToken:0.0} µs server {s.ClientCpuUsPerToken:0.0} µs client, server JIT {s.ServerJitMethods} methods {s.ServerJitMs} ms, load {ProcInfo.LoadAverage()}");
        return s;
    }

    void RecordSettings(ServerProcess server, int maxLevel, int maxConcurrent)
    {
        Settings["server"] = $"child process (pid {server.ProcessId}): ServingHost with roles gateway + mixed (1 worker), the fake engine as the worker's engine, " +
            $"localhost Orleans clustering, loopback ports, --max-concurrent-requests and --prepare-queue {maxConcurrent}, the executable's default logging (to a file)";
        Settings["fake_engine"] = $"each step takes {options.IntervalMs} ms from when the engine loop calls it (absolute clock_nanosleep), then emits one token " +
            "for every running request (no batch limit); text = emission time in monotonic ticks";
        Settings["client"] = $"this process: HttpClient (SocketsHttpHandler, one HTTP/1.1 connection per stream), POST /v1/completions stream=true, " +
            $"max_tokens {options.MaxTokens}, ignore_eos, include_usage; SSE read line by line, each token event stamped with Stopwatch on arrival";
        Settings["added_latency"] = "client inter-token gap minus the interval, over gaps taken while all streams of the level were open (else all gaps)";
        Settings["engine_loop_share"] = "gap between the emission times of a stream's consecutive tokens minus the interval: the fake's lateness plus the loop's time between steps";
        Settings["token_delivery"] = "arrival at the client minus emission by the fake engine (same CLOCK_MONOTONIC in both processes)";
        Settings["tokens_per_s"] = "token events received while all streams were open / that window's length (else over the whole run)";
        Settings["cpu_per_token"] = "CPU time (user + system) of each process over the whole level, connections and requests included, / token events received";
        Settings["levels"] = string.Join(",", options.Levels);
        Settings["reps"] = $"{options.Reps}, levels in rotating order, medians of the reps";
    }

    static T[] Rotate<T>(T[] items, int by) => [.. items.Skip(by % items.Length), .. items.Take(by % items.Length)];

    static string Trim(string s) => s.Length > 200 ? s[..200] : s;

    public static void Progress(string line) => Console.Error.WriteLine($"[gwbench] {line}");
}
