using System.CommandLine;

namespace Serving.Host;

/// <summary>
/// `serving` with no subcommand: runs this process's roles. Every option also reads a SERVING_* environment
/// variable (the names docker-compose and Helm use).
/// </summary>
internal static class ServeCommand
{
    /// <summary>Every option of `serving`, each bound to its setting; the defaults are <see cref="HostSettings"/>'s.</summary>
    static IReadOnlyList<ServeOption> NewOptions() =>
    [
        ServeOption.Text("--roles", "SERVING_ROLES", "Roles of this process: gateway, prefill, decode, mixed (comma-separated).",
            s => string.Join(",", s.Roles), (s, v) => s with { Roles = List(v).Select(r => r.ToLowerInvariant()).ToHashSet() }),
        ServeOption.Of("--model", "SERVING_MODEL", "Hugging Face checkpoint folder (default: the project's tiny model).", s => s.ModelPath, (s, v) => s with { ModelPath = v }),
        ServeOption.Of("--redis", "SERVING_REDIS", "Redis address for cluster membership (HOST:PORT); without it the process is a cluster of its own.", s => s.Redis, (s, v) => s with { Redis = v }),
        ServeOption.Of("--cluster-id", "SERVING_CLUSTER_ID", "Cluster name in Redis.", s => s.ClusterId, (s, v) => s with { ClusterId = v }),
        ServeOption.Of("--tls-dir", "SERVING_TLS_DIR", "Folder with the cluster's ca.crt, tls.crt and tls.key (a Kubernetes TLS Secret's layout): KV transfer and Orleans run over mutual TLS, peers checked against ca.crt. Required to join through --redis (or --insecure).",
            s => s.TlsDirectory, (s, v) => s with { TlsDirectory = v }),
        ServeOption.Of("--insecure", "SERVING_INSECURE", "Join a cluster through --redis without TLS: anyone who reaches the KV and Orleans ports can read prompts' KV and drive the cluster. For a network you trust only.",
            s => s.Insecure, (s, v) => s with { Insecure = v }),
        ServeOption.Of("--advertise", "SERVING_ADVERTISE_ADDRESS", "Address other processes reach this one at.", s => s.AdvertiseAddress, (s, v) => s with { AdvertiseAddress = v }),
        ServeOption.Of("--http-port", "SERVING_HTTP_PORT", "Gateway HTTP port.", s => s.HttpPort, (s, v) => s with { HttpPort = v }),
        ServeOption.Of("--kv-port", "SERVING_KV_PORT", "KV transfer (gRPC) port; every process with workers listens on it (the planner may make any worker a decode worker).",
            s => s.KvPort, (s, v) => s with { KvPort = v }),
        ServeOption.Of("--silo-port", "SERVING_SILO_PORT", "Orleans silo-to-silo port.", s => s.SiloPort, (s, v) => s with { SiloPort = v }),
        ServeOption.Of("--orleans-client-port", "SERVING_ORLEANS_CLIENT_PORT", "Port Orleans clients connect to (the silo's client gateway).",
            s => s.OrleansClientPort, (s, v) => s with { OrleansClientPort = v }),
        ServeOption.Of("--prefill-workers", "SERVING_PREFILL_WORKERS", "Prefill workers in this process (with the prefill role).", s => s.PrefillWorkers, (s, v) => s with { PrefillWorkers = v }),
        ServeOption.Of("--decode-workers", "SERVING_DECODE_WORKERS", "Decode workers in this process (with the decode role).", s => s.DecodeWorkers, (s, v) => s with { DecodeWorkers = v }),
        ServeOption.Of("--mixed-workers", "SERVING_MIXED_WORKERS", "Mixed workers in this process (with the mixed role).", s => s.MixedWorkers, (s, v) => s with { MixedWorkers = v }),
        ServeOption.Of("--kv-transport", "SERVING_KV_TRANSPORT", "KV transport: auto (local in-process, else grpc), grpc, grpc-pull (decode pulls), local.",
            s => s.Transport, (s, v) => s with { Transport = v }),
        ServeOption.Of("--routing-policy", "SERVING_ROUTING_POLICY", "prefix-aware (weighs what each worker's prefix cache holds of the prompt against its load), least-loaded or round-robin.",
            s => s.Policy, (s, v) => s with { Policy = v }),
        ServeOption.Of("--prefix-cache-weight", "SERVING_PREFIX_CACHE_WEIGHT", "prefix-aware: the cost of a prompt token a worker would compute or receive (not in its cache).",
            s => s.PrefixCacheWeight, (s, v) => s with { PrefixCacheWeight = v }),
        ServeOption.Of("--prefix-queue-weight", "SERVING_PREFIX_QUEUE_WEIGHT", "prefix-aware: the cost of a prompt token queued for prefill on a worker.",
            s => s.PrefixQueueWeight, (s, v) => s with { PrefixQueueWeight = v }),
        ServeOption.Of("--prefix-kv-weight", "SERVING_PREFIX_KV_WEIGHT", "prefix-aware: the cost of a token of KV held by the running requests of a worker that decodes.",
            s => s.PrefixKvWeight, (s, v) => s with { PrefixKvWeight = v }),
        ServeOption.Of("--short-prompt-threshold", "SERVING_SHORT_PROMPT_THRESHOLD", "Prompts of at most this many tokens (prefix-aware: tokens the decode worker does not hold) are prefilled on their decode worker, skipping the prefill pool; the runtime planner replaces it with its own (0 = never).",
            s => s.ShortPromptThreshold, (s, v) => s with { ShortPromptThreshold = v }),
        ServeOption.Of("--dtype", "SERVING_DTYPE", "auto, float32, bfloat16 or float16.", s => s.DType, (s, v) => s with { DType = v }),
        ServeOption.Of("--device", "SERVING_DEVICE", "auto, cpu, cuda or cuda:N.", s => s.Device, (s, v) => s with { Device = v }),
        ServeOption.Of("--kv-cache-mb", "SERVING_KV_CACHE_MB", "KV cache memory per worker, MiB.", s => s.KvCacheMb, (s, v) => s with { KvCacheMb = v }),
        ServeOption.Of("--prefill-layer-groups", "SERVING_PREFILL_LAYER_GROUPS", "Layered prefill: a prompt advances one of G layer groups per step beside the running decodes (1 = off).",
            s => s.PrefillLayerGroups, (s, v) => s with { PrefillLayerGroups = v }),
        ServeOption.Of("--prefill-chunk-tokens", "SERVING_PREFILL_CHUNK_TOKENS", "Chunked prefill: at most C prompt tokens per step beside the running decodes (0 = off; the alternative to --prefill-layer-groups).",
            s => s.PrefillChunkTokens, (s, v) => s with { PrefillChunkTokens = v }),
        ServeOption.Text("--api-key", "SERVING_API_KEY", "API keys the gateway accepts as 'Authorization: Bearer KEY' (comma-separated); none leaves the API open. Prefer --api-key-file: other users of the machine can read a command line.",
            _ => null, (s, v) => s with { ApiKeys = [.. s.ApiKeys, .. List(v)] }),
        ServeOption.Text("--api-key-file", "SERVING_API_KEY_FILE", "File holding the API keys (one per line or comma-separated), e.g. a mounted Kubernetes Secret; adds to --api-key.",
            _ => null, (s, v) => s with { ApiKeys = [.. s.ApiKeys, .. SecretFile.ReadList(v, "--api-key-file")] }),
        ServeOption.Text("--redis-password-file", "SERVING_REDIS_PASSWORD_FILE", "File holding the Redis password (e.g. a mounted Secret); the password is never logged.",
            _ => null, (s, v) => s with { RedisPassword = SecretFile.Read(v, "--redis-password-file") }),
        ServeOption.Of("--drain-timeout-s", "SERVING_DRAIN_TIMEOUT_S", "On SIGTERM: seconds running requests may finish here before they are handed to other workers (gateway: before open streams are cut).",
            s => s.DrainTimeoutSeconds, (s, v) => s with { DrainTimeoutSeconds = v }),
        ServeOption.Of("--liveness-stall-s", "SERVING_LIVENESS_STALL_S", "/livez fails when a worker's engine has work but finished no step for this many seconds.",
            s => s.LivenessStallSeconds, (s, v) => s with { LivenessStallSeconds = v }),
        ServeOption.Of("--probe-interval-s", "SERVING_PROBE_INTERVAL_S", "Seconds between the liveness probes silos send each other; a process that misses three is declared dead and its requests resume elsewhere.",
            s => s.ProbeSeconds, (s, v) => s with { ProbeSeconds = v }),
        ServeOption.Of("--stall-s", "SERVING_STALL_S", "A worker whose engine has work but makes no progress for this many seconds gives up its requests (they resume elsewhere) and leaves routing until it moves again.",
            s => s.StallSeconds, (s, v) => s with { StallSeconds = v }),
        ServeOption.Of("--max-waiting", "SERVING_MAX_WAITING", "Requests a worker's engine may have waiting for a batch slot; beyond it the worker refuses new ones (the gateway tries others, then answers 503 with Retry-After).",
            s => s.MaxWaiting, (s, v) => s with { MaxWaiting = v }),
        ServeOption.Of("--request-timeout-s", "SERVING_REQUEST_TIMEOUT_S", "The longest a request may run at the gateway, queueing included (0: no limit); past it the client gets 504 or an error event and the request's KV is freed.",
            s => s.RequestTimeoutSeconds, (s, v) => s with { RequestTimeoutSeconds = v }),
        ServeOption.Of("--debug-hang-file", "SERVING_DEBUG_HANG_FILE", "Fault injection for tests and soak runs: while this file exists, this process's engine loops hang.",
            s => s.HangFile, (s, v) => s with { HangFile = v }),
        ServeOption.Of("--max-concurrent-requests", "SERVING_MAX_CONCURRENT_REQUESTS", "Sequences (prompts × n of every request) the gateway holds at once; requests beyond get 429 with Retry-After.",
            s => s.MaxConcurrentRequests, (s, v) => s with { MaxConcurrentRequests = v }),
        ServeOption.Of("--prepare-concurrency", "SERVING_PREPARE_CONCURRENCY", "Requests the gateway parses, renders (chat template) and tokenizes at once, before admission (default: one per core).",
            s => s.PrepareConcurrency, (s, v) => s with { PrepareConcurrency = v }),
        ServeOption.Of("--prepare-queue", "SERVING_PREPARE_QUEUE", "Requests beyond --prepare-concurrency that may upload their body or wait for their turn; beyond, 429 with Retry-After. Bodies before admission take at most (concurrency + queue) x --max-request-kb.",
            s => s.PrepareQueue, (s, v) => s with { PrepareQueue = v }),
        ServeOption.Of("--max-request-kb", "SERVING_MAX_REQUEST_KB", "Largest API request body, KiB (beyond: 413).",
            s => s.Limits.MaxBodyBytes / 1024, (s, v) => s with { Limits = s.Limits with { MaxBodyBytes = v * 1024 } }),
        ServeOption.Of("--max-messages", "SERVING_MAX_MESSAGES", "Most messages in one chat request (beyond: 400).",
            s => s.Limits.MaxMessages, (s, v) => s with { Limits = s.Limits with { MaxMessages = v } }),
        ServeOption.Of("--max-tools", "SERVING_MAX_TOOLS", "Most tool definitions in one chat request (beyond: 400).",
            s => s.Limits.MaxTools, (s, v) => s with { Limits = s.Limits with { MaxTools = v } }),
        ServeOption.Of("--max-stop", "SERVING_MAX_STOP", "Most stop strings in one request (each is checked at every token; beyond: 400).",
            s => s.Limits.MaxStop, (s, v) => s with { Limits = s.Limits with { MaxStop = v } }),
        ServeOption.Of("--max-stop-length", "SERVING_MAX_STOP_LENGTH", "Most characters in one stop string (beyond: 400).",
            s => s.Limits.MaxStopLength, (s, v) => s with { Limits = s.Limits with { MaxStopLength = v } }),
        ServeOption.Of("--max-stop-token-ids", "SERVING_MAX_STOP_TOKEN_IDS", "Most ids in stop_token_ids (beyond: 400).",
            s => s.Limits.MaxStopTokenIds, (s, v) => s with { Limits = s.Limits with { MaxStopTokenIds = v } }),
        ServeOption.Of("--otlp-endpoint", "SERVING_OTLP_ENDPOINT", "OTLP collector for traces and metrics (e.g. http://collector:4317); OTEL_EXPORTER_OTLP_ENDPOINT also works.",
            s => s.OtlpEndpoint, (s, v) => s with { OtlpEndpoint = v }),
        ServeOption.Of("--otlp-protocol", "SERVING_OTLP_PROTOCOL", "OTLP protocol: grpc or http/protobuf.", s => s.OtlpProtocol, (s, v) => s with { OtlpProtocol = v }),
        ServeOption.Of("--metrics-port", "SERVING_METRICS_PORT", "Port for /metrics and the probes (/livez, /readyz). Needed in a process without the gateway role; in a gateway, scrapers read /metrics here without an API key, while /metrics on --http-port needs one when API keys are on.",
            s => s.MetricsPort, (s, v) => s with { MetricsPort = v }),
        ServeOption.Of("--step-trace", "SERVING_STEP_TRACE", "Folder where each worker writes one CSV line per engine step (timing and batch); `serving calibrate` fits a profile to it.",
            s => s.StepTraceDirectory, (s, v) => s with { StepTraceDirectory = v }),

        ServeOption.Text("--planner", "SERVING_PLANNER", "Runtime planner: on (re-plans the P/D split and G from live traffic when a profile is found) or off.",
            s => s.Planner ? "on" : "off", (s, v) => s with { Planner = v?.Trim().ToLowerInvariant() is not ("off" or "false" or "0") }),
        ServeOption.Of("--profile", "SERVING_PROFILE", "Latency profile from `serving profile` or `serving calibrate` (default: the one saved for this model and device, its calibrated copy first, if any).",
            s => s.ProfilePath, (s, v) => s with { ProfilePath = v }),
        ServeOption.Of("--slo-ttft-ms", "SERVING_SLO_TTFT_MS", "TTFT objective the planner maximizes goodput for.", s => s.SloTtftMs, (s, v) => s with { SloTtftMs = v }),
        ServeOption.Of("--slo-tpot-ms", "SERVING_SLO_TPOT_MS", "TPOT objective the planner maximizes goodput for.", s => s.SloTpotMs, (s, v) => s with { SloTpotMs = v }),
        ServeOption.Of("--slo-attainment", "SERVING_SLO_ATTAINMENT", "Share of requests that must meet both objectives.", s => s.SloAttainment, (s, v) => s with { SloAttainment = v }),
        ServeOption.Of("--replan-interval-s", "SERVING_REPLAN_INTERVAL_S", "Seconds between re-planning rounds.", s => s.ReplanIntervalSeconds, (s, v) => s with { ReplanIntervalSeconds = v }),
        ServeOption.Of("--replan-min-interval-s", "SERVING_REPLAN_MIN_INTERVAL_S", "Least seconds between two changes of the setup.",
            s => s.ReplanMinIntervalSeconds, (s, v) => s with { ReplanMinIntervalSeconds = v }),
        ServeOption.Of("--planner-window-s", "SERVING_PLANNER_WINDOW_S", "Seconds of finished requests each round plans from.",
            s => s.PlannerWindowSeconds, (s, v) => s with { PlannerWindowSeconds = v }),
        ServeOption.Of("--planner-hysteresis", "SERVING_PLANNER_HYSTERESIS", "How much more goodput (0.15 = 15%) a new setup must promise.",
            s => s.PlannerHysteresis, (s, v) => s with { PlannerHysteresis = v }),
        ServeOption.Of("--planner-headroom", "SERVING_PLANNER_HEADROOM", "The workers per role the planner asks an autoscaler for (serving_planner_desired_workers) serve the observed rate plus this share.",
            s => s.PlannerHeadroom, (s, v) => s with { PlannerHeadroom = v }),
        ServeOption.Text("--planner-layer-groups", "SERVING_PLANNER_LAYER_GROUPS", "G values the planner tries, e.g. 1,2,4,8 (default: powers of two up to the layer count).",
            s => Join(s.PlannerLayerGroups), (s, v) => s with { PlannerLayerGroups = Ints(v) }),
        ServeOption.Text("--planner-shapes", "SERVING_PLANNER_SHAPES", "Setups the planner may choose: colocated (all mixed), disaggregated (P/D splits), or both.",
            s => string.Join(",", new[] { s.PlannerColocated ? "colocated" : null, s.PlannerDisaggregated ? "disaggregated" : null }.OfType<string>()),
            (s, v) => s with
            {
                PlannerColocated = v?.Contains("colocated", StringComparison.OrdinalIgnoreCase) == true,
                PlannerDisaggregated = v?.Contains("disaggregated", StringComparison.OrdinalIgnoreCase) == true,
            }),
        ServeOption.Text("--planner-thresholds", "SERVING_PLANNER_THRESHOLDS", "Short-prompt thresholds the planner tries, e.g. 0,128,512 (default).",
            s => Join(s.PlannerThresholds), (s, v) => s with { PlannerThresholds = Ints(v) }),
    ];

    public static void Configure(RootCommand root)
    {
        var options = NewOptions();
        foreach (var o in options)
            root.Options.Add(o.Option);

        root.SetAction(async (parse, ct) =>
        {
            HostSettings settings;
            try
            {
                settings = options.Aggregate(HostSettings.Defaults, (s, o) => o.Apply(s, parse));
            }
            catch (SecretFileException e)
            {
                Console.Error.WriteLine($"error: {e.Message}");
                return 2;
            }
            var problems = settings.Problems();
            if (problems.Count > 0)
            {
                foreach (var p in problems)
                    Console.Error.WriteLine($"error: {p}");
                return 2;
            }
            if (settings.Redis is not null && settings.Insecure && settings.TlsDirectory is null)
                Console.Error.WriteLine("serving: WARNING: --insecure: KV transfer and Orleans run without TLS; anyone who reaches their ports can read prompts' KV and drive the cluster.");
            WebApplication app;
            try
            {
                app = ServingHost.Build(settings, []);
            }
            catch (InvalidOperationException e) when (e.Message.StartsWith("TLS folder", StringComparison.Ordinal) || e.Message.Contains(".crt", StringComparison.Ordinal))
            {
                Console.Error.WriteLine($"error: {e.Message}");
                return 2;
            }
            await app.StartAsync(ct);
            Announce(settings);
            await app.WaitForShutdownAsync(ct);
            return 0;
        });
    }

    static void Announce(HostSettings s)
    {
        var workers = string.Join(", ", s.Workers().Select(w => w.Name));
        Console.WriteLine($"serving: roles {string.Join(",", s.Roles)}; workers: {(workers.Length > 0 ? workers : "none")}; cluster: {(s.Redis is null ? "this process" : $"redis {s.RedisDisplay}")}");
        if (s.HasKvReceiver)
            Console.WriteLine($"serving: KV receiver on {s.AdvertiseAddress}:{s.KvPort} ({(s.TlsDirectory is null ? "plaintext" : "mutual TLS")}, listening on {s.InternalListenAddress})");
        if (s.IsGateway)
        {
            Console.WriteLine($"serving: OpenAI-compatible API on http://127.0.0.1:{s.HttpPort}/v1");
            var auth = s.ApiKeys.Count > 0 ? " -H 'Authorization: Bearer KEY'" : "";
            Console.WriteLine($"serving: try  curl http://127.0.0.1:{s.HttpPort}/v1/chat/completions{auth} -H 'Content-Type: application/json' -d '{{\"messages\": [{{\"role\": \"user\", \"content\": \"Once upon a time\"}}], \"max_tokens\": 32}}'");
        }
    }

    static string[] List(string? list) => list?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) ?? [];

    static string? Join(IReadOnlyList<int>? values) => values is null ? null : string.Join(",", values);

    static int[]? Ints(string? list) =>
        list is null
            ? null
            : List(list).Select(v => int.TryParse(v, System.Globalization.CultureInfo.InvariantCulture, out var i) ? i : throw new ArgumentException($"'{v}' in '{list}' is not a whole number.")).ToArray();
}
