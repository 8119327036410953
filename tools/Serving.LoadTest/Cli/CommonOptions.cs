using System.CommandLine;
using System.Globalization;
using Serving.LoadTest.Runner;
using Serving.LoadTest.Workloads;
using Serving.Planning.LoadTests;

namespace Serving.LoadTest.Cli;

/// <summary>The options every command shares: target, workload, arrivals, SLOs and output.</summary>
internal sealed class CommonOptions
{
    readonly Option<string> baseUrl = new("--base-url") { Description = "The server's root URL (with or without /v1).", DefaultValueFactory = _ => "http://127.0.0.1:8000" };
    readonly Option<string?> model = new("--model") { Description = "Model name to request (default: the first of /v1/models)." };
    readonly Option<string?> apiKey = new("--api-key") { Description = "Bearer key (default: $OPENAI_API_KEY).", DefaultValueFactory = _ => Environment.GetEnvironmentVariable("OPENAI_API_KEY") };
    readonly Option<ApiKind> endpoint = new("--endpoint") { Description = "completions (/v1/completions) or chat (/v1/chat/completions).", DefaultValueFactory = _ => ApiKind.Completions };
    readonly Option<double> timeout = new("--request-timeout") { Description = "Seconds a request may take before it counts as a timeout.", DefaultValueFactory = _ => 600 };
    readonly Option<bool> ignoreEos = new("--ignore-eos") { Description = "Send ignore_eos so every request produces exactly its output length.", DefaultValueFactory = _ => true };
    readonly Option<bool> minTokens = new("--min-tokens") { Description = "Also send min_tokens = max_tokens (vLLM's extension)." };
    readonly Option<double?> temperature = new("--temperature") { Description = "Sampling temperature (default: the server's)." };

    readonly Option<bool> embedded = new("--embedded") { Description = "Start the `serving` build of this repository on free ports, test it, stop it." };
    readonly Option<string?> servingDll = new("--serving-dll") { Description = "serving.dll for --embedded (default: services/Serving.Host's build output)." };
    readonly Option<string> servingArgs = new("--serving-args") { Description = "Extra arguments for the embedded server (e.g. \"--dtype bfloat16\").", DefaultValueFactory = _ => "" };

    readonly Option<WorkloadChoice> workload = new("--workload")
    {
        Description = "synthetic, sharegpt (--dataset FILE.json), trace (--dataset FILE), multi-turn (closed-loop conversations resending their history; run only) or shared-prefix (groups of prompts sharing a system text).",
        DefaultValueFactory = _ => WorkloadChoice.Synthetic,
        CustomParser = WorkloadChoices.Parse,
    };
    readonly Option<string?> dataset = new("--dataset") { Description = "The ShareGPT JSON file or the trace file (multi-turn: a ShareGPT file whose conversations have several human turns; words without one)." };
    readonly Option<int?> numPrompts = new("--num-prompts") { Description = "Requests per run (default 200; a trace: all its lines)." };
    readonly Option<int> inputLen = new("--input-len") { Description = "Mean prompt length in tokens.", DefaultValueFactory = _ => 128 };
    readonly Option<LengthDistribution> inputDist = new("--input-dist") { Description = "fixed, uniform or lognormal.", DefaultValueFactory = _ => LengthDistribution.Fixed };
    readonly Option<int?> inputMin = new("--input-min") { Description = "Shortest prompt (default: mean/2 uniform, 1 log-normal)." };
    readonly Option<int?> inputMax = new("--input-max") { Description = "Longest prompt (default: 3·mean/2 uniform, 4·mean log-normal)." };
    readonly Option<int> outputLen = new("--output-len") { Description = "Mean output length in tokens (max_tokens).", DefaultValueFactory = _ => 64 };
    readonly Option<LengthDistribution> outputDist = new("--output-dist") { Description = "fixed, uniform or lognormal.", DefaultValueFactory = _ => LengthDistribution.Fixed };
    readonly Option<int?> outputMin = new("--output-min") { Description = "Shortest output." };
    readonly Option<int?> outputMax = new("--output-max") { Description = "Longest output." };
    readonly Option<double> sigma = new("--sigma") { Description = "Log-normal shape (standard deviation of the log length).", DefaultValueFactory = _ => 0.5 };
    readonly Option<int?> sharegptOutputLen = new("--sharegpt-output-len") { Description = "Output tokens for every ShareGPT request instead of each answer's length." };
    readonly Option<double> traceSpeedup = new("--trace-speedup") { Description = "Replay a trace this many times faster.", DefaultValueFactory = _ => 1 };
    readonly Option<bool> wordPrompts = new("--word-prompts") { Description = "Make prompts of words even when the server has /tokenize." };

    readonly Option<int> conversations = new("--conversations") { Description = "multi-turn: conversations, all started at once (or at --rate).", DefaultValueFactory = _ => 8 };
    readonly Option<int> turns = new("--turns") { Description = "multi-turn: user turns per conversation.", DefaultValueFactory = _ => 6 };
    readonly Option<int> openingWords = new("--opening-words") { Description = "multi-turn: words of the text that opens each conversation (before its first question).", DefaultValueFactory = _ => 500 };
    readonly Option<int> questionWords = new("--question-words") { Description = "multi-turn and shared-prefix: words of each question.", DefaultValueFactory = _ => 60 };
    readonly Option<double> thinkTime = new("--think-time-ms") { Description = "multi-turn: pause between an answer's end and the next turn.", DefaultValueFactory = _ => 0 };
    readonly Option<int> prefixGroups = new("--prefix-groups") { Description = "shared-prefix: groups, each with its own shared system text.", DefaultValueFactory = _ => 8 };
    readonly Option<int> promptsPerGroup = new("--prompts-per-group") { Description = "shared-prefix: prompts (questions) per group.", DefaultValueFactory = _ => 8 };
    readonly Option<int> prefixWords = new("--prefix-words") { Description = "shared-prefix: words of each group's shared text.", DefaultValueFactory = _ => 500 };
    readonly Option<bool> noServerMetrics = new("--no-server-metrics") { Description = "Do not scrape the server's /metrics before and after each run (KV bytes moved, prefix-cache and router counters)." };

    readonly Option<double> burstiness = new("--burstiness") { Description = "Gamma shape of the gaps: 1 Poisson, <1 burstier, >1 more regular.", DefaultValueFactory = _ => 1 };
    readonly Option<int?> concurrency = new("--max-concurrency") { Description = "At most this many requests in flight." };
    readonly Option<int> seed = new("--seed") { Description = "Seed of lengths, prompts and arrivals.", DefaultValueFactory = _ => 0 };
    readonly Option<string[]> goodput = new("--goodput") { Description = "SLOs in ms, e.g. --goodput ttft:200 tpot:50 e2el:2000.", AllowMultipleArgumentsPerToken = true };
    readonly Option<string> percentiles = new("--percentiles") { Description = "Percentiles to report, comma-separated.", DefaultValueFactory = _ => "90,99" };
    readonly Option<string?> outDir = new("--out") { Description = "Folder for result.json, summary.md and the plots (default artifacts/loadtest/<time>)." };
    readonly Option<bool> noPlots = new("--no-plots") { Description = "Write no PNG plots." };
    readonly Option<bool> noProgress = new("--no-progress") { Description = "No live progress bar or tables." };
    readonly Option<bool> skipPreflight = new("--skip-preflight") { Description = "Do not send one test request before the run." };
    readonly Option<int?> warmups = new("--warmups") { Description = "Requests sent at once and discarded before the first run, so no run measures the server's warm-up (default: 4 for search, 0 otherwise)." };

    public void AddTo(Command command)
    {
        foreach (var o in new Option[]
        {
            baseUrl, model, apiKey, endpoint, timeout, ignoreEos, minTokens, temperature, embedded, servingDll, servingArgs,
            workload, dataset, numPrompts, inputLen, inputDist, inputMin, inputMax, outputLen, outputDist, outputMin, outputMax, sigma,
            sharegptOutputLen, traceSpeedup, wordPrompts, conversations, turns, openingWords, questionWords, thinkTime, prefixGroups, promptsPerGroup,
            prefixWords, noServerMetrics, burstiness, concurrency, seed, goodput, percentiles, outDir, noPlots, noProgress, skipPreflight, warmups,
        })
            command.Options.Add(o);
    }

    /// <summary>Whether --warmups was given (search warms up by default).</summary>
    public bool WarmupsGiven(ParseResult p) => p.GetValue(warmups) is not null;

    public EmbeddedRequest? Embedded(ParseResult p) =>
        p.GetValue(embedded) ? new EmbeddedRequest(p.GetValue(servingDll), p.GetValue(servingArgs) ?? "") : null;

    /// <summary>The settings the command line asks for; throws <see cref="FormatException"/> or <see cref="ArgumentException"/> on bad values.</summary>
    public LoadTestSettings Bind(ParseResult p, string[] args)
    {
        var choice = p.GetValue(workload);
        if (choice is WorkloadChoice.ShareGpt or WorkloadChoice.Trace && string.IsNullOrEmpty(p.GetValue(dataset)))
            throw new ArgumentException($"--workload {choice.ToString().ToLowerInvariant()} needs --dataset FILE");
        if (choice == WorkloadChoice.SharedPrefix && !string.IsNullOrEmpty(p.GetValue(dataset)))
            throw new ArgumentException("--workload shared-prefix makes its own texts: drop --dataset");
        // The recorded kind: the prefix workloads are made of words (a multi-turn run from a ShareGPT file records sharegpt once built).
        var kind = choice switch { WorkloadChoice.ShareGpt => WorkloadKind.ShareGpt, WorkloadChoice.Trace => WorkloadKind.Trace, _ => WorkloadKind.Synthetic };
        var target = new TargetSettings
        {
            BaseUrl = TargetSettings.NormalizeBaseUrl(p.GetValue(baseUrl)!),
            Model = p.GetValue(model),
            Api = p.GetValue(endpoint),
            RequestTimeout = TimeSpan.FromSeconds(Positive(p.GetValue(timeout), "--request-timeout")),
            IgnoreEos = p.GetValue(ignoreEos),
            SendMinTokens = p.GetValue(minTokens),
            Temperature = p.GetValue(temperature),
        };
        var work = new WorkloadSettings
        {
            Kind = kind,
            Path = p.GetValue(dataset),
            NumPrompts = (int)Positive(p.GetValue(numPrompts) ?? (kind == WorkloadKind.Trace ? int.MaxValue : 200), "--num-prompts"),
            Input = LengthSpec.Of(p.GetValue(inputDist), p.GetValue(inputLen), p.GetValue(inputMin), p.GetValue(inputMax), p.GetValue(sigma)),
            Output = LengthSpec.Of(p.GetValue(outputDist), p.GetValue(outputLen), p.GetValue(outputMin), p.GetValue(outputMax), p.GetValue(sigma)),
            ShareGptOutputLen = p.GetValue(sharegptOutputLen),
            TraceSpeedup = Positive(p.GetValue(traceSpeedup), "--trace-speedup"),
            UseServerTokenizer = !p.GetValue(wordPrompts),
        };
        return new LoadTestSettings
        {
            Target = target,
            ApiKey = p.GetValue(apiKey),
            Workload = work,
            MultiTurn = choice != WorkloadChoice.MultiTurn ? null : new MultiTurnSettings
            {
                Conversations = Count(p.GetValue(conversations), "--conversations"),
                Turns = Count(p.GetValue(turns), "--turns"),
                OpeningWords = Count(p.GetValue(openingWords), "--opening-words"),
                QuestionWords = Count(p.GetValue(questionWords), "--question-words"),
                ThinkTimeMs = p.GetValue(thinkTime) is var ms and >= 0 ? ms : throw new ArgumentException("--think-time-ms must be 0 or more"),
            },
            SharedPrefix = choice != WorkloadChoice.SharedPrefix ? null : new SharedPrefixSettings
            {
                Groups = Count(p.GetValue(prefixGroups), "--prefix-groups"),
                PromptsPerGroup = Count(p.GetValue(promptsPerGroup), "--prompts-per-group"),
                PrefixWords = Count(p.GetValue(prefixWords), "--prefix-words"),
                QuestionWords = Count(p.GetValue(questionWords), "--question-words"),
            },
            ServerMetrics = !p.GetValue(noServerMetrics),
            Arrival = kind == WorkloadKind.Trace ? ArrivalMode.Trace : ArrivalMode.Poisson,
            Burstiness = Positive(p.GetValue(burstiness), "--burstiness"),
            MaxConcurrency = p.GetValue(concurrency) is { } c ? (int)Positive(c, "--max-concurrency") : null,
            Seed = p.GetValue(seed),
            Slo = Slo.Parse(p.GetValue(goodput) ?? []),
            Percentiles = ParseList(p.GetValue(percentiles)!, "--percentiles").Select(v => v is >= 0 and <= 100 ? v : throw new FormatException("--percentiles: values in 0..100")).ToArray(),
            OutDir = p.GetValue(outDir) ?? Path.Combine("artifacts", "loadtest", DateTime.UtcNow.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture)),
            Plots = !p.GetValue(noPlots),
            Progress = !p.GetValue(noProgress),
            SkipPreflight = p.GetValue(skipPreflight),
            Warmups = p.GetValue(warmups) is { } w ? (w >= 0 ? w : throw new ArgumentException("--warmups must be 0 or more")) : 0,
            CommandLine = RedactKey(args),
        };
    }

    public static double[] ParseList(string text, string option)
    {
        var values = text.Split([',', ' '], StringSplitOptions.RemoveEmptyEntries)
            .Select(v => double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) ? d : throw new FormatException($"{option}: '{v}' is not a number"))
            .ToArray();
        return values.Length > 0 ? values : throw new FormatException($"{option}: give at least one number");
    }

    static int Count(int value, string option) => (int)Positive(value, option);

    public static double Positive(double value, string option) =>
        value > 0 && !double.IsNaN(value) ? value : throw new ArgumentException($"{option} must be positive");

    static string[] RedactKey(string[] args) =>
        args.Select((a, i) => i > 0 && args[i - 1] == "--api-key" ? "***" : a).ToArray();
}
