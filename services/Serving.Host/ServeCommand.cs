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
        var kvPort = Opt("--kv-port", "SERVING_KV_PORT", 50051, "KV transfer (gRPC) port of decode workers.");
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
        var apiKeys = Opt<string?>("--api-key", "SERVING_API_KEY", null, "API keys the gateway accepts as 'Authorization: Bearer KEY' (comma-separated); none leaves the API open.");
        var otlp = Opt<string?>("--otlp-endpoint", "SERVING_OTLP_ENDPOINT", null, "OTLP collector for traces and metrics (e.g. http://collector:4317); OTEL_EXPORTER_OTLP_ENDPOINT also works.");
        var otlpProtocol = Opt("--otlp-protocol", "SERVING_OTLP_PROTOCOL", "grpc", "OTLP protocol: grpc or http/protobuf.");
        var metricsPort = Opt<int?>("--metrics-port", "SERVING_METRICS_PORT", null, "Port for /metrics in a process without the gateway role (the gateway serves /metrics on --http-port).");
        var maxConcurrent = Opt("--max-concurrent-requests", "SERVING_MAX_CONCURRENT_REQUESTS", 4096, "Sequences (prompts × n of every request) the gateway holds at once; requests beyond get 429 with Retry-After.");

        foreach (var o in new Option[] { roles, model, redis, clusterId, advertise, httpPort, kvPort, siloPort, gatewayPort, prefillWorkers, decodeWorkers, mixedWorkers, transport, policy, dtype, device, kvCache, layerGroups, chunkTokens, apiKeys, maxConcurrent, otlp, otlpProtocol, metricsPort })
            root.Options.Add(o);

        root.SetAction(async (parse, ct) =>
        {
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
                ApiKeys = parse.GetValue(apiKeys)?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) ?? [],
                MaxConcurrentRequests = parse.GetValue(maxConcurrent),
                OtlpEndpoint = parse.GetValue(otlp),
                OtlpProtocol = parse.GetValue(otlpProtocol)!,
                MetricsPort = parse.GetValue(metricsPort),
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
        Console.WriteLine($"serving: roles {string.Join(",", s.Roles)}; workers: {(workers.Length > 0 ? workers : "none")}; cluster: {(s.Redis is null ? "this process" : $"redis {s.Redis}")}");
        if (s.HasKvReceiver)
            Console.WriteLine($"serving: KV receiver on {s.AdvertiseAddress}:{s.KvPort}");
        if (s.IsGateway)
        {
            Console.WriteLine($"serving: OpenAI-compatible API on http://127.0.0.1:{s.HttpPort}/v1");
            var auth = s.ApiKeys.Count > 0 ? " -H 'Authorization: Bearer KEY'" : "";
            Console.WriteLine($"serving: try  curl http://127.0.0.1:{s.HttpPort}/v1/chat/completions{auth} -H 'Content-Type: application/json' -d '{{\"messages\": [{{\"role\": \"user\", \"content\": \"Once upon a time\"}}], \"max_tokens\": 32}}'");
        }
    }

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
