using System.CommandLine;

namespace Serving.Host;

/// <summary>
/// `serving` with no subcommand: runs this process's roles. Every option also reads a SERVING_* environment
/// variable (the names docker-compose and Helm use).
/// </summary>
internal static class ServeCommand
{
    public static void Configure(RootCommand root)
    {
        var roles = Opt("--roles", "SERVING_ROLES", "gateway,prefill,decode", "Roles of this process: gateway, prefill, decode, mixed (comma-separated).");
        var model = Opt<string?>("--model", "SERVING_MODEL", null, "Hugging Face checkpoint folder (default: the project's tiny model).");
        var redis = Opt<string?>("--redis", "SERVING_REDIS", null, "Redis address for cluster membership (HOST:PORT); without it the process is a cluster of its own.");
        var clusterId = Opt("--cluster-id", "SERVING_CLUSTER_ID", "serving", "Cluster name in Redis.");
        var advertise = Opt("--advertise", "SERVING_ADVERTISE_ADDRESS", "127.0.0.1", "Address other processes reach this one at.");
        var httpPort = Opt("--http-port", "SERVING_HTTP_PORT", 8000, "Gateway HTTP port.");
        var kvPort = Opt("--kv-port", "SERVING_KV_PORT", 50051, "KV transfer (gRPC) port; every process with workers listens on it (the planner may make any worker a decode worker).");
        var siloPort = Opt("--silo-port", "SERVING_SILO_PORT", 11111, "Orleans silo-to-silo port.");
        var gatewayPort = Opt("--orleans-gateway-port", "SERVING_ORLEANS_GATEWAY_PORT", 30000, "Orleans client gateway port.");
        var prefillWorkers = Opt("--prefill-workers", "SERVING_PREFILL_WORKERS", 1, "Prefill workers in this process (with the prefill role).");
        var decodeWorkers = Opt("--decode-workers", "SERVING_DECODE_WORKERS", 1, "Decode workers in this process (with the decode role).");
        var mixedWorkers = Opt("--mixed-workers", "SERVING_MIXED_WORKERS", 1, "Mixed workers in this process (with the mixed role).");
        var transport = Opt("--kv-transport", "SERVING_KV_TRANSPORT", "auto", "KV transport: auto (local in-process, else grpc), grpc, grpc-pull (decode pulls), local.");
        var policy = Opt("--routing-policy", "SERVING_ROUTING_POLICY", "least-loaded", "least-loaded or round-robin.");
        var dtype = Opt("--dtype", "SERVING_DTYPE", "auto", "auto, float32, bfloat16 or float16.");
        var device = Opt("--device", "SERVING_DEVICE", "auto", "auto, cpu, cuda or cuda:N.");
        var kvCache = Opt("--kv-cache-mb", "SERVING_KV_CACHE_MB", 512, "KV cache memory per worker, MiB.");
        var layerGroups = Opt("--prefill-layer-groups", "SERVING_PREFILL_LAYER_GROUPS", 1, "Layered prefill: a prompt advances one of G layer groups per step beside the running decodes (1 = off).");
        var chunkTokens = Opt("--prefill-chunk-tokens", "SERVING_PREFILL_CHUNK_TOKENS", 0, "Chunked prefill: at most C prompt tokens per step beside the running decodes (0 = off; the alternative to --prefill-layer-groups).");
        var apiKeys = Opt<string?>("--api-key", "SERVING_API_KEY", null, "API keys the gateway accepts as 'Authorization: Bearer KEY' (comma-separated); none leaves the API open. Prefer --api-key-file: other users of the machine can read a command line.");
        var apiKeyFile = Opt<string?>("--api-key-file", "SERVING_API_KEY_FILE", null, "File holding the API keys (one per line or comma-separated), e.g. a mounted Kubernetes Secret; adds to --api-key.");
        var redisPasswordFile = Opt<string?>("--redis-password-file", "SERVING_REDIS_PASSWORD_FILE", null, "File holding the Redis password (e.g. a mounted Secret); the password is never logged.");
        var drainTimeout = Opt("--drain-timeout-s", "SERVING_DRAIN_TIMEOUT_S", 30.0, "On SIGTERM: seconds running requests may finish here before they are handed to other workers (gateway: before open streams are cut).");
        var livenessStall = Opt("--liveness-stall-s", "SERVING_LIVENESS_STALL_S", 60.0, "/livez fails when a worker's engine has work but finished no step for this many seconds.");
        var otlp = Opt<string?>("--otlp-endpoint", "SERVING_OTLP_ENDPOINT", null, "OTLP collector for traces and metrics (e.g. http://collector:4317); OTEL_EXPORTER_OTLP_ENDPOINT also works.");
        var otlpProtocol = Opt("--otlp-protocol", "SERVING_OTLP_PROTOCOL", "grpc", "OTLP protocol: grpc or http/protobuf.");
        var metricsPort = Opt<int?>("--metrics-port", "SERVING_METRICS_PORT", null, "Port for /metrics in a process without the gateway role (the gateway serves /metrics on --http-port).");
        var stepTrace = Opt<string?>("--step-trace", "SERVING_STEP_TRACE", null, "Folder where each worker writes one CSV line per engine step (timing and batch); `serving calibrate` fits a profile to it.");
        var maxConcurrent = Opt("--max-concurrent-requests", "SERVING_MAX_CONCURRENT_REQUESTS", 4096, "Sequences (prompts × n of every request) the gateway holds at once; requests beyond get 429 with Retry-After.");

        var planner = Opt("--planner", "SERVING_PLANNER", "on", "Runtime planner: on (re-plans the P/D split and G from live traffic when a profile is found) or off.");
        var profile = Opt<string?>("--profile", "SERVING_PROFILE", null, "Latency profile from `serving profile` or `serving calibrate` (default: the one saved for this model and device, its calibrated copy first, if any).");
        var sloTtft = Opt("--slo-ttft-ms", "SERVING_SLO_TTFT_MS", 1000.0, "TTFT objective the planner maximizes goodput for.");
        var sloTpot = Opt("--slo-tpot-ms", "SERVING_SLO_TPOT_MS", 100.0, "TPOT objective the planner maximizes goodput for.");
        var sloAttainment = Opt("--slo-attainment", "SERVING_SLO_ATTAINMENT", 0.9, "Share of requests that must meet both objectives.");
        var replanInterval = Opt("--replan-interval-s", "SERVING_REPLAN_INTERVAL_S", 30.0, "Seconds between re-planning rounds.");
        var replanMin = Opt("--replan-min-interval-s", "SERVING_REPLAN_MIN_INTERVAL_S", 90.0, "Least seconds between two changes of the setup.");
        var window = Opt("--planner-window-s", "SERVING_PLANNER_WINDOW_S", 120.0, "Seconds of finished requests each round plans from.");
        var hysteresis = Opt("--planner-hysteresis", "SERVING_PLANNER_HYSTERESIS", 0.15, "How much more goodput (0.15 = 15%) a new setup must promise.");
        var headroom = Opt("--planner-headroom", "SERVING_PLANNER_HEADROOM", 0.2, "The workers per role the planner asks an autoscaler for (serving_planner_desired_workers) serve the observed rate plus this share.");
        var plannerGroups = Opt<string?>("--planner-layer-groups", "SERVING_PLANNER_LAYER_GROUPS", null, "G values the planner tries, e.g. 1,2,4,8 (default: powers of two up to the layer count).");
        var plannerShapes = Opt("--planner-shapes", "SERVING_PLANNER_SHAPES", "colocated,disaggregated", "Setups the planner may choose: colocated (all mixed), disaggregated (P/D splits), or both.");
        var plannerThresholds = Opt<string?>("--planner-thresholds", "SERVING_PLANNER_THRESHOLDS", null, "Short-prompt thresholds the planner tries, e.g. 0,128,512 (default).");

        foreach (var o in new Option[] { planner, profile, sloTtft, sloTpot, sloAttainment, replanInterval, replanMin, window, hysteresis, headroom, plannerGroups, plannerShapes, plannerThresholds })
            root.Options.Add(o);
        foreach (var o in new Option[] { roles, model, redis, clusterId, advertise, httpPort, kvPort, siloPort, gatewayPort, prefillWorkers, decodeWorkers, mixedWorkers, transport, policy, dtype, device, kvCache, layerGroups, chunkTokens, apiKeys, apiKeyFile, redisPasswordFile, drainTimeout, livenessStall, maxConcurrent, otlp, otlpProtocol, metricsPort, stepTrace })
            root.Options.Add(o);

        root.SetAction(async (parse, ct) =>
        {
            string[] fileKeys;
            string? redisPassword;
            try
            {
                fileKeys = SecretFile.ReadList(parse.GetValue(apiKeyFile), "--api-key-file");
                redisPassword = SecretFile.Read(parse.GetValue(redisPasswordFile), "--redis-password-file");
            }
            catch (SecretFileException e)
            {
                Console.Error.WriteLine($"error: {e.Message}");
                return 2;
            }
            var settings = new HostSettings
            {
                Roles = parse.GetValue(roles)!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(r => r.ToLowerInvariant()).ToHashSet(),
                ModelPath = parse.GetValue(model),
                Redis = parse.GetValue(redis),
                ClusterId = parse.GetValue(clusterId)!,
                AdvertiseAddress = parse.GetValue(advertise)!,
                HttpPort = parse.GetValue(httpPort),
                KvPort = parse.GetValue(kvPort),
                SiloPort = parse.GetValue(siloPort),
                OrleansGatewayPort = parse.GetValue(gatewayPort),
                PrefillWorkers = parse.GetValue(prefillWorkers),
                DecodeWorkers = parse.GetValue(decodeWorkers),
                MixedWorkers = parse.GetValue(mixedWorkers),
                Transport = parse.GetValue(transport)!,
                Policy = parse.GetValue(policy)!,
                DType = parse.GetValue(dtype)!,
                Device = parse.GetValue(device)!,
                KvCacheMb = parse.GetValue(kvCache),
                PrefillLayerGroups = parse.GetValue(layerGroups),
                PrefillChunkTokens = parse.GetValue(chunkTokens),
                ApiKeys = [.. parse.GetValue(apiKeys)?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) ?? [], .. fileKeys],
                RedisPassword = redisPassword,
                DrainTimeoutSeconds = parse.GetValue(drainTimeout),
                LivenessStallSeconds = parse.GetValue(livenessStall),
                MaxConcurrentRequests = parse.GetValue(maxConcurrent),
                OtlpEndpoint = parse.GetValue(otlp),
                OtlpProtocol = parse.GetValue(otlpProtocol)!,
                MetricsPort = parse.GetValue(metricsPort),
                StepTraceDirectory = parse.GetValue(stepTrace),
                Planner = parse.GetValue(planner)!.Trim().ToLowerInvariant() is not ("off" or "false" or "0"),
                ProfilePath = parse.GetValue(profile),
                SloTtftMs = parse.GetValue(sloTtft),
                SloTpotMs = parse.GetValue(sloTpot),
                SloAttainment = parse.GetValue(sloAttainment),
                ReplanIntervalSeconds = parse.GetValue(replanInterval),
                ReplanMinIntervalSeconds = parse.GetValue(replanMin),
                PlannerWindowSeconds = parse.GetValue(window),
                PlannerHysteresis = parse.GetValue(hysteresis),
                PlannerHeadroom = parse.GetValue(headroom),
                PlannerLayerGroups = Ints(parse.GetValue(plannerGroups)),
                PlannerThresholds = Ints(parse.GetValue(plannerThresholds)),
                PlannerColocated = parse.GetValue(plannerShapes)!.Contains("colocated", StringComparison.OrdinalIgnoreCase),
                PlannerDisaggregated = parse.GetValue(plannerShapes)!.Contains("disaggregated", StringComparison.OrdinalIgnoreCase),
            };
            var problems = settings.Problems();
            if (problems.Count > 0)
            {
                foreach (var p in problems)
                    Console.Error.WriteLine($"error: {p}");
                return 2;
            }
            var app = ServingHost.Build(settings, []);
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
            Console.WriteLine($"serving: KV receiver on {s.AdvertiseAddress}:{s.KvPort}");
        if (s.IsGateway)
        {
            Console.WriteLine($"serving: OpenAI-compatible API on http://127.0.0.1:{s.HttpPort}/v1");
            var auth = s.ApiKeys.Count > 0 ? " -H 'Authorization: Bearer KEY'" : "";
            Console.WriteLine($"serving: try  curl http://127.0.0.1:{s.HttpPort}/v1/chat/completions{auth} -H 'Content-Type: application/json' -d '{{\"messages\": [{{\"role\": \"user\", \"content\": \"Once upon a time\"}}], \"max_tokens\": 32}}'");
        }
    }

    static int[]? Ints(string? list) =>
        list?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(v => int.TryParse(v, System.Globalization.CultureInfo.InvariantCulture, out var i) ? i : throw new ArgumentException($"'{v}' in '{list}' is not a whole number."))
            .ToArray();

    static Option<T> Opt<T>(string name, string env, T fallback, string description) => new(name)
    {
        Description = $"{description} [{env}]",
        DefaultValueFactory = _ => Environment.GetEnvironmentVariable(env) is { Length: > 0 } value ? Parse<T>(value, name, env) : fallback,
    };

    static T Parse<T>(string value, string name, string env)
    {
        var type = Nullable.GetUnderlyingType(typeof(T)) ?? typeof(T);
        try
        {
            return (T)Convert.ChangeType(value, type, System.Globalization.CultureInfo.InvariantCulture);
        }
        catch (FormatException)
        {
            throw new ArgumentException($"{env}='{value}' is not a valid value for {name}.");
        }
    }
}
