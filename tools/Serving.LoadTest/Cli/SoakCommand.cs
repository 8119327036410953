using System.CommandLine;
using System.Globalization;
using Serving.LoadTest.Soak;
using Serving.Tools.Shared;

namespace Serving.LoadTest.Cli;

/// <summary>
/// `soak`: minutes of mixed load with faults, then a verdict. Exit 0 when every check holds, 1 when one fails, 2 on
/// bad arguments, 3 when the soak could not run (the server did not start or answer).
/// </summary>
internal static class SoakCommand
{
    public static Command Create(string[] args)
    {
        var command = new Command("soak", "Soak: N minutes of mixed load (chat and text completions, streamed and whole, n > 1, long prompts, sampling options, invalid requests, client disconnects mid-stream) with optional worker kills and fault hooks; then checks that every KV block is free again, every request got a completion or a clear error, RSS grew less than a limit after warm-up and the logs hold no unexplained errors. Exit 0 passed, 1 failed, 2 bad arguments, 3 could not run.");
        var baseUrl = new Option<string>("--base-url") { Description = "An external server's root URL (with or without /v1).", DefaultValueFactory = _ => "http://127.0.0.1:8000" };
        var apiKey = new Option<string?>("--api-key") { Description = "Bearer key (default: $OPENAI_API_KEY).", DefaultValueFactory = _ => Environment.GetEnvironmentVariable("OPENAI_API_KEY") };
        var model = new Option<string?>("--model") { Description = "Model name to request (default: the first of /v1/models)." };
        var embedded = new Option<bool>("--embedded") { Description = "Start this repository's `serving` as the README does (one process: gateway, prefill, decode) on free ports, soak it, stop it." };
        var cluster = new Option<bool>("--embedded-cluster") { Description = "Start Redis and `serving` processes joined through it over mutual TLS (a gateway, --prefill-processes, --decode-processes); worker processes can then be killed (--kill-interval-s)." };
        var servingDll = new Option<string?>("--serving-dll") { Description = "serving.dll to start (default: services/Serving.Host's build output)." };
        var servingArgs = new Option<string>("--serving-args") { Description = "Extra options for every started `serving` process (e.g. \"--kv-cache-mb 64\").", DefaultValueFactory = _ => "" };
        var prefill = new Option<int>("--prefill-processes") { Description = "Prefill worker processes of --embedded-cluster.", DefaultValueFactory = _ => 1 }.Check(n => n >= 0, "is 0 or more");
        var decode = new Option<int>("--decode-processes") { Description = "Decode worker processes of --embedded-cluster.", DefaultValueFactory = _ => 2 }.Check(n => n >= 1, "is 1 or more");
        var pids = new Option<int[]>("--server-pid") { Description = "Pid(s) of an external server's processes on this machine, for the RSS check.", AllowMultipleArgumentsPerToken = true };
        var serverLog = new Option<string?>("--server-log") { Description = "An external server's log file, followed for error-level lines." };

        var minutes = new Option<double>("--minutes") { Description = "Minutes of load.", DefaultValueFactory = _ => 10 }.Check(m => m > 0, "must be positive");
        var warmup = new Option<double?>("--warmup-s") { Description = "Seconds of load before the RSS baseline (default: a fifth of the load, within 20–300 s)." };
        var concurrency = new Option<int>("--concurrency") { Description = "Requests in flight at once (each client sends its next request when one ends).", DefaultValueFactory = _ => 8 }.Check(n => n >= 1, "is 1 or more");
        var seed = new Option<int>("--seed") { Description = "Seed of the requests and the faults: request i is the same for the same seed.", DefaultValueFactory = _ => 0 };
        var deadline = new Option<double>("--request-deadline-s") { Description = "A request with no complete answer after this long is a hang.", DefaultValueFactory = _ => 60 }.Check(s => s > 0, "must be positive");
        var settle = new Option<double>("--settle-s") { Description = "Seconds after the load for every KV block to be free again.", DefaultValueFactory = _ => 15 }.Check(s => s >= 0, "is 0 or more");
        var maxRss = new Option<double>("--max-rss-growth") { Description = "Percent a server process's RSS may grow from just after warm-up to the end of the load.", DefaultValueFactory = _ => 20 }.Check(p => p > 0, "must be positive");
        var minCompleted = new Option<double>("--min-completed") { Description = "Share of the valid requests the client waited for that must complete (the rest may be clean errors).", DefaultValueFactory = _ => 0.9 }.Check(s => s is >= 0 and <= 1, "is a share in [0, 1]");

        var chat = Share("--chat-share", "Share of chat completions (the rest: text completions).", 0.5);
        var stream = Share("--stream-share", "Share of streamed requests.", 0.6);
        var disconnect = Share("--disconnect-share", "Share of requests the client abandons: a stream after 1–8 chunks, a whole request after 20–500 ms.", 0.1);
        var multi = Share("--multi-choice-share", "Share of requests with n in 2..--max-n.", 0.25);
        var maxN = new Option<int>("--max-n") { Description = "Largest n.", DefaultValueFactory = _ => 4 }.Check(n => n >= 2, "is 2 or more");
        var longShare = Share("--long-prompt-share", "Share of long prompts (--long-prompt-words).", 0.05);
        var longWords = new Option<string>("--long-prompt-words") { Description = "Long prompts' length in words, MIN-MAX (about as many tokens).", DefaultValueFactory = _ => "1500-3000" };
        var invalid = Share("--invalid-share", "Share of requests with one deliberate mistake, which must get a 4xx error.", 0.03);
        var maxOutput = new Option<int>("--max-output-tokens") { Description = "Largest max_tokens (each request draws 4..this).", DefaultValueFactory = _ => 128 }.Check(n => n >= 4, "is 4 or more");

        var killInterval = new Option<double?>("--kill-interval-s") { Description = "With --embedded-cluster: SIGKILL a random worker process about this often (0.5–1.5×) and start a new one." };
        var restartAfter = new Option<double>("--restart-after-s") { Description = "How long a killed worker stays down.", DefaultValueFactory = _ => 5 }.Check(s => s >= 0, "is 0 or more");
        var killCommand = new Option<string?>("--kill-command") { Description = "A shell command that kills something (for a cluster started elsewhere), run about every --kill-command-interval-s." };
        var killCommandInterval = new Option<double>("--kill-command-interval-s") { Description = "Mean seconds between --kill-command runs.", DefaultValueFactory = _ => 60 }.Check(s => s > 0, "must be positive");
        var flipCommand = new Option<string?>("--role-flip-command") { Description = "A shell command that switches a worker's role, run about every --role-flip-interval-s (no endpoint switches roles today; the planner does it inside the cluster)." };
        var flipInterval = new Option<double>("--role-flip-interval-s") { Description = "Mean seconds between --role-flip-command runs.", DefaultValueFactory = _ => 60 }.Check(s => s > 0, "must be positive");
        var grace = new Option<double>("--fault-grace-s") { Description = "Error-level log lines up to this long after a fault recovered are put down to it.", DefaultValueFactory = _ => 30 }.Check(s => s >= 0, "is 0 or more");

        var outDir = new Option<string?>("--out") { Description = "Folder for result.json, summary.md and requests.csv (default artifacts/soak/<time>)." };
        var noProgress = new Option<bool>("--no-progress") { Description = "No progress line." };

        foreach (var o in new Option[]
        {
            baseUrl, apiKey, model, embedded, cluster, servingDll, servingArgs, prefill, decode, pids, serverLog,
            minutes, warmup, concurrency, seed, deadline, settle, maxRss, minCompleted,
            chat, stream, disconnect, multi, maxN, longShare, longWords, invalid, maxOutput,
            killInterval, restartAfter, killCommand, killCommandInterval, flipCommand, flipInterval, grace, outDir, noProgress,
        })
            command.Options.Add(o);

        command.SetAction(async (p, ct) =>
        {
            SoakSettings settings;
            try
            {
                if (p.GetValue(embedded) && p.GetValue(cluster))
                    throw new ArgumentException("give --embedded or --embedded-cluster, not both");
                var topology = p.GetValue(cluster) ? SoakTopology.Cluster : p.GetValue(embedded) ? SoakTopology.Embedded : SoakTopology.External;
                if (p.GetValue(killInterval) is not null && topology != SoakTopology.Cluster)
                    throw new ArgumentException("--kill-interval-s needs --embedded-cluster (the soak kills only processes it started; see --kill-command)");
                var duration = TimeSpan.FromMinutes(p.GetValue(minutes));
                var (longMin, longMax) = Range(p.GetValue(longWords)!, "--long-prompt-words");
                settings = new SoakSettings
                {
                    Target = new SoakTargetSettings
                    {
                        Topology = topology,
                        BaseUrl = Planning.LoadTests.TargetSettings.NormalizeBaseUrl(p.GetValue(baseUrl)!),
                        ApiKey = p.GetValue(apiKey),
                        Model = p.GetValue(model),
                        ServingDll = p.GetValue(servingDll),
                        ServingArgs = p.GetValue(servingArgs) ?? "",
                        PrefillProcesses = p.GetValue(prefill),
                        DecodeProcesses = p.GetValue(decode),
                        ServerPids = p.GetValue(pids) ?? [],
                        ServerLog = p.GetValue(serverLog),
                    },
                    Mix = new SoakMix
                    {
                        ChatShare = p.GetValue(chat),
                        StreamShare = p.GetValue(stream),
                        DisconnectShare = p.GetValue(disconnect),
                        MultiChoiceShare = p.GetValue(multi),
                        MaxN = p.GetValue(maxN),
                        LongPromptShare = p.GetValue(longShare),
                        LongPromptMinWords = longMin,
                        LongPromptMaxWords = longMax,
                        InvalidShare = p.GetValue(invalid),
                        MaxOutputTokens = p.GetValue(maxOutput),
                    },
                    Faults = new SoakFaultSettings
                    {
                        KillInterval = p.GetValue(killInterval) is { } k ? TimeSpan.FromSeconds(k > 0 ? k : throw new ArgumentException("--kill-interval-s must be positive")) : null,
                        RestartAfter = TimeSpan.FromSeconds(p.GetValue(restartAfter)),
                        KillCommand = p.GetValue(killCommand),
                        KillCommandInterval = TimeSpan.FromSeconds(p.GetValue(killCommandInterval)),
                        RoleFlipCommand = p.GetValue(flipCommand),
                        RoleFlipInterval = TimeSpan.FromSeconds(p.GetValue(flipInterval)),
                        Grace = TimeSpan.FromSeconds(p.GetValue(grace)),
                    },
                    Duration = duration,
                    WarmUp = p.GetValue(warmup) is { } w ? TimeSpan.FromSeconds(w >= 0 && w < duration.TotalSeconds ? w : throw new ArgumentException("--warmup-s must be shorter than the load"))
                        : TimeSpan.FromSeconds(Math.Min(Math.Clamp(duration.TotalSeconds / 5, 20, 300), duration.TotalSeconds / 2)),
                    Concurrency = p.GetValue(concurrency),
                    Seed = p.GetValue(seed),
                    RequestDeadline = TimeSpan.FromSeconds(p.GetValue(deadline)),
                    Settle = TimeSpan.FromSeconds(p.GetValue(settle)),
                    MaxRssGrowthPercent = p.GetValue(maxRss),
                    MinCompletedShare = p.GetValue(minCompleted),
                    OutDir = p.GetValue(outDir) ?? Path.Combine("artifacts", "soak", DateTime.UtcNow.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture)),
                    Progress = !p.GetValue(noProgress),
                    CommandLine = [.. args.Select((a, i) => i > 0 && args[i - 1] == "--api-key" ? "***" : a)],
                };
            }
            catch (Exception e) when (e is ArgumentException or FormatException)
            {
                Console.Error.WriteLine($"error: {e.Message}");
                return 2;
            }
            try
            {
                return (await new SoakRun(settings).ExecuteAsync(ct)).Passed ? 0 : 1;
            }
            catch (Exception e) when (e is InvalidOperationException or HttpRequestException or TimeoutException or FileNotFoundException or System.Text.Json.JsonException)
            {
                Console.Error.WriteLine($"error: the soak could not run: {e.Message}");
                return 3;
            }
        });
        return command;
    }

    static Option<double> Share(string name, string description, double value) =>
        new Option<double>(name) { Description = description, DefaultValueFactory = _ => value }.Check(s => s is >= 0 and <= 1, "is a share in [0, 1]");

    static (int Min, int Max) Range(string text, string option)
    {
        var parts = text.Split('-', 2);
        return parts.Length == 2 && int.TryParse(parts[0], NumberStyles.Integer, CultureInfo.InvariantCulture, out var min)
            && int.TryParse(parts[1], NumberStyles.Integer, CultureInfo.InvariantCulture, out var max) && min >= 1 && max >= min
            ? (min, max)
            : throw new FormatException($"{option} is MIN-MAX in words, not '{text}'");
    }
}
