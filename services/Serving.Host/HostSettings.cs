using System.Net;
using System.Net.Sockets;
using Serving.Contracts;

namespace Serving.Host;

/// <summary>What one `serving` process runs, from command-line options or SERVING_* environment variables.</summary>
internal sealed record HostSettings
{
    /// <summary>The settings of a `serving` run with no options and no SERVING_* variables: every default, in one place.</summary>
    public static readonly HostSettings Defaults = new();

    public IReadOnlySet<string> Roles { get; init; } = new HashSet<string> { "gateway", "prefill", "decode" };
    public int PrefillWorkers { get; init; } = 1;
    public int DecodeWorkers { get; init; } = 1;
    public int MixedWorkers { get; init; } = 1;
    public string? ModelPath { get; init; }
    public string? Redis { get; init; }
    /// <summary>Redis password, read from a file (a mounted Secret); never on the command line or in a log line.</summary>
    public string? RedisPassword { get; init; }
    public string ClusterId { get; init; } = "serving";
    /// <summary>Folder with the cluster's ca.crt, tls.crt and tls.key: every internal plane runs over mutual TLS with them.</summary>
    public string? TlsDirectory { get; init; }
    /// <summary>Join a cluster through Redis without TLS, knowingly (the process warns at every start).</summary>
    public bool Insecure { get; init; }
    public string AdvertiseAddress { get; init; } = "127.0.0.1";
    public int HttpPort { get; init; } = 8000;
    public int KvPort { get; init; } = 50051;
    public int SiloPort { get; init; } = 11111;
    public int OrleansClientPort { get; init; } = 30000;
    public string Transport { get; init; } = "auto";
    public string Policy { get; init; } = Serving.Cluster.Routing.AssignmentPolicies.Default;
    /// <summary>prefix-aware routing: the weight of a prompt token a worker would compute or receive, of one queued for its prefill, and of one its running requests hold in KV.</summary>
    public double PrefixCacheWeight { get; init; } = 1.0;
    public double PrefixQueueWeight { get; init; } = 1.0;
    public double PrefixKvWeight { get; init; } = 0.05;
    /// <summary>Prompts (under prefix-aware: the part the decode worker lacks) of at most this many tokens are prefilled where they decode, until the planner sets its own.</summary>
    public int ShortPromptThreshold { get; init; }
    public string DType { get; init; } = "auto";
    public string Device { get; init; } = "auto";
    public int KvCacheMb { get; init; } = 512;
    /// <summary>Layered prefill on workers that prefill and decode (G layer groups per prompt; 1 = off).</summary>
    public int PrefillLayerGroups { get; init; } = 1;
    /// <summary>Chunked prefill on workers that prefill and decode (at most C prompt tokens per step; 0 = off).</summary>
    public int PrefillChunkTokens { get; init; }
    /// <summary>Bearer keys the gateway accepts; none leaves the API open.</summary>
    public IReadOnlyList<string> ApiKeys { get; init; } = [];
    public int MaxConcurrentRequests { get; init; } = 4096;
    /// <summary>Requests the gateway parses, renders and tokenizes at once, before admission (one per core).</summary>
    public int PrepareConcurrency { get; init; } = Environment.ProcessorCount;
    /// <summary>Requests beyond those that may read their body or wait for their turn before new ones get 429.</summary>
    public int PrepareQueue { get; init; } = 64;
    /// <summary>What one API request may hold (body, messages, tools, stop strings and ids); the defaults are the gateway's.</summary>
    public Serving.Gateway.Requests.RequestLimits Limits { get; init; } = new();
    /// <summary>Where traces and metrics are exported over OTLP; none exports nothing (Prometheus can still scrape).</summary>
    public string? OtlpEndpoint { get; init; }
    /// <summary>OTLP over gRPC (port 4317 by convention) or http/protobuf (4318).</summary>
    public string OtlpProtocol { get; init; } = "grpc";
    /// <summary>
    /// A port for /metrics and the probes: in a process without a gateway the only HTTP port; in a gateway, where
    /// scrapers read /metrics without an API key (on the API port it then needs one, when keys are on).
    /// </summary>
    public int? MetricsPort { get; init; }

    /// <summary>How long a stopping process lets running requests finish before handing them to other workers.</summary>
    public double DrainTimeoutSeconds { get; init; } = 30;
    /// <summary>A worker whose engine has work but finished no step for this long is reported not alive (/livez).</summary>
    public double LivenessStallSeconds { get; init; } = 60;
    /// <summary>How often each silo probes its peers; three missed probes declare a peer's process dead (see AddServingFailureDetection).</summary>
    public double ProbeSeconds { get; init; } = 1;
    /// <summary>A worker whose engine has work but makes no progress for this long gives up its requests and leaves routing until it moves.</summary>
    public double StallSeconds { get; init; } = 30;
    /// <summary>Requests a worker's engine may have waiting; beyond it the worker refuses (the gateway tries others, then 503).</summary>
    public int MaxWaiting { get; init; } = 1024;
    /// <summary>The longest a request may run at the gateway (0: no limit).</summary>
    public double RequestTimeoutSeconds { get; init; } = 600;
    /// <summary>Fault injection (tests, soak runs): while this file exists, this process's engine loops hang.</summary>
    public string? HangFile { get; init; }

    /// <summary>Folder each worker writes its per-step CSV trace to (off when null).</summary>
    public string? StepTraceDirectory { get; init; }

    /// <summary>Whether the runtime planner re-plans (it needs a profile).</summary>
    public bool Planner { get; init; } = true;
    /// <summary>The workers' latency profile; none looks for the one `serving profile` saved for this model and device.</summary>
    public string? ProfilePath { get; init; }
    public double SloTtftMs { get; init; } = 1000;
    public double SloTpotMs { get; init; } = 100;
    public double SloAttainment { get; init; } = 0.9;
    public double ReplanIntervalSeconds { get; init; } = 30;
    public double ReplanMinIntervalSeconds { get; init; } = 90;
    public double PlannerWindowSeconds { get; init; } = 120;
    public double PlannerHysteresis { get; init; } = 0.15;
    /// <summary>The worker counts the planner asks an autoscaler for serve the observed rate plus this share.</summary>
    public double PlannerHeadroom { get; init; } = 0.2;
    /// <summary>G values the planner tries; none: 1, 2, 4, … up to the layer count.</summary>
    public IReadOnlyList<int>? PlannerLayerGroups { get; init; }
    /// <summary>Whether the planner may choose colocated (all-mixed) setups, and disaggregated (P/D) ones.</summary>
    public bool PlannerColocated { get; init; } = true;
    public bool PlannerDisaggregated { get; init; } = true;
    /// <summary>Short-prompt thresholds the planner tries; none: 0, 128, 512.</summary>
    public IReadOnlyList<int>? PlannerThresholds { get; init; }

    /// <summary>The Redis address for log lines: its first entry only, so a password given in the connection string is never printed.</summary>
    public string? RedisDisplay => Redis?.Split(',')[0];

    // A record prints every property; these settings hold secrets (API keys, the Redis password): print none of them.
    public override string ToString() =>
        $"HostSettings {{ Roles = {string.Join(",", Roles)}, Redis = {RedisDisplay ?? "(none)"}, TLS = {TlsDirectory ?? (Insecure ? "off (--insecure)" : "off")}, ApiKeys = {ApiKeys.Count} (not shown), RedisPassword = {(RedisPassword is null ? "(none)" : "(not shown)")} }}";

    /// <summary>
    /// Where the cluster-internal ports (KV, silo, Orleans clients) listen: every interface in a cluster that spans
    /// machines, loopback only in a process that is a cluster of its own (nothing outside it needs them).
    /// </summary>
    public IPAddress InternalListenAddress => Redis is null ? IPAddress.Loopback : IPAddress.Any;

    public static readonly string[] KnownRoles = ["gateway", "prefill", "decode", "mixed"];

    public bool IsGateway => Roles.Contains("gateway");
    /// <summary>
    /// Decode workers receive KV (with grpc-pull, prefill workers serve it), and the runtime planner may turn any
    /// worker into either — a process started with only prefill or mixed workers too: so every process with workers
    /// listens for KV.
    /// </summary>
    public bool HasKvReceiver => Workers().Any();

    public IEnumerable<(string Name, WorkerRole Role)> Workers()
    {
        if (Roles.Contains("prefill"))
            for (var i = 0; i < PrefillWorkers; i++)
                yield return ($"prefill-{i}", WorkerRole.Prefill);
        if (Roles.Contains("decode"))
            for (var i = 0; i < DecodeWorkers; i++)
                yield return ($"decode-{i}", WorkerRole.Decode);
        if (Roles.Contains("mixed"))
            for (var i = 0; i < MixedWorkers; i++)
                yield return ($"mixed-{i}", WorkerRole.Mixed);
    }

    /// <summary>Every problem with the settings, each a sentence a person can act on; empty when they are usable.</summary>
    public List<string> Problems()
    {
        var problems = new List<string>();
        foreach (var role in Roles.Where(r => !KnownRoles.Contains(r)))
            problems.Add($"unknown role '{role}' (roles: {string.Join(", ", KnownRoles)}).");
        if (Roles.Count == 0)
            problems.Add("no roles given (roles: gateway, prefill, decode, mixed).");
        if (ModelPath is not null && !Directory.Exists(ModelPath))
            problems.Add($"model folder '{ModelPath}' does not exist.");
        if (ModelPath is not null && Directory.Exists(ModelPath) && !File.Exists(Path.Combine(ModelPath, "config.json")))
            problems.Add($"model folder '{ModelPath}' has no config.json.");
        var complete = Roles.Contains("gateway") && (Roles.Contains("mixed") || Roles.Contains("decode"));
        if (Redis is null && !complete)
            problems.Add("this process does not run a whole cluster (gateway plus decode or mixed workers): give --redis HOST:PORT so it can join the others.");
        if (Redis is not null && TlsDirectory is null && !Insecure)
            problems.Add("this process joins a cluster through Redis, whose KV and Orleans ports other machines can reach: give --tls-dir DIR (ca.crt, tls.crt, tls.key; `serving certs --out DIR` writes a development set), or --insecure to run without TLS on a network you trust.");
        if (TlsDirectory is not null && !Directory.Exists(TlsDirectory))
            problems.Add($"--tls-dir '{TlsDirectory}' does not exist.");
        if (!Serving.Worker.Transfer.KvTransportKinds.TryParse(Transport, out _))
            problems.Add($"unknown KV transport '{Transport}' ({string.Join(", ", Serving.Worker.Transfer.KvTransportKinds.Names)}).");
        if (Policy is not ("prefix-aware" or "least-loaded" or "round-robin"))
            problems.Add($"unknown routing policy '{Policy}' (prefix-aware, least-loaded or round-robin).");
        if (!(PrefixCacheWeight >= 0 && PrefixQueueWeight >= 0 && PrefixKvWeight >= 0))
            problems.Add("--prefix-cache-weight, --prefix-queue-weight and --prefix-kv-weight must be at least 0.");
        if (ShortPromptThreshold < 0)
            problems.Add("--short-prompt-threshold must be at least 0.");
        if (KvCacheMb < 1)
            problems.Add("--kv-cache-mb must be at least 1.");
        if (OtlpEndpoint is not null && !Uri.TryCreate(OtlpEndpoint, UriKind.Absolute, out _))
            problems.Add($"--otlp-endpoint '{OtlpEndpoint}' is not an absolute URL (e.g. http://collector:4317).");
        if (OtlpProtocol is not ("grpc" or "http/protobuf"))
            problems.Add($"unknown OTLP protocol '{OtlpProtocol}' (grpc or http/protobuf).");
        if (PrefillLayerGroups < 1)
            problems.Add("--prefill-layer-groups must be at least 1 (1 turns layered prefill off).");
        if (PrefillChunkTokens < 0)
            problems.Add("--prefill-chunk-tokens must be 0 (off) or more.");
        if (PrefillChunkTokens > 0 && PrefillLayerGroups > 1)
            problems.Add("--prefill-chunk-tokens and --prefill-layer-groups are alternatives: give one of them.");
        if (ProfilePath is not null && !File.Exists(ProfilePath))
            problems.Add($"profile '{ProfilePath}' does not exist; write one with `serving profile`.");
        if (SloTtftMs <= 0 || SloTpotMs <= 0)
            problems.Add("--slo-ttft-ms and --slo-tpot-ms must be positive.");
        if (SloAttainment is <= 0 or > 1)
            problems.Add("--slo-attainment must be in (0, 1], e.g. 0.9.");
        if (ReplanIntervalSeconds <= 0 || ReplanMinIntervalSeconds < 0 || PlannerWindowSeconds <= 0)
            problems.Add("--replan-interval-s and --planner-window-s must be positive, --replan-min-interval-s at least 0.");
        if (PlannerHysteresis < 0)
            problems.Add("--planner-hysteresis must be at least 0.");
        if (PlannerHeadroom < 0)
            problems.Add("--planner-headroom must be at least 0.");
        if (!PlannerColocated && !PlannerDisaggregated)
            problems.Add("--planner-shapes must name colocated, disaggregated or both.");
        if (PlannerLayerGroups?.Any(g => g < 1) == true)
            problems.Add("--planner-layer-groups values must be at least 1.");
        if (PlannerThresholds?.Any(t => t < 0) == true)
            problems.Add("--planner-thresholds values must be at least 0.");
        if (DrainTimeoutSeconds < 0)
            problems.Add("--drain-timeout-s must be at least 0.");
        if (LivenessStallSeconds <= 0)
            problems.Add("--liveness-stall-s must be positive.");
        if (ProbeSeconds < 0.1)
            problems.Add("--probe-interval-s must be at least 0.1.");
        if (StallSeconds <= 0)
            problems.Add("--stall-s must be positive.");
        if (MaxWaiting < 1)
            problems.Add("--max-waiting must be at least 1.");
        if (RequestTimeoutSeconds < 0)
            problems.Add("--request-timeout-s must be at least 0 (0: no limit).");
        if (MaxConcurrentRequests < 1)
            problems.Add("--max-concurrent-requests must be at least 1.");
        if (PrepareConcurrency < 1 || PrepareQueue < 0)
            problems.Add("--prepare-concurrency must be at least 1, --prepare-queue at least 0.");
        if (Limits.MaxBodyBytes < 1024 || Limits.MaxMessages < 1 || Limits.MaxTools < 0 || Limits.MaxStop < 0 || Limits.MaxStopLength < 1 || Limits.MaxStopTokenIds < 0)
            problems.Add("request limits: --max-request-kb must be at least 1, --max-messages and --max-stop-length at least 1, --max-tools, --max-stop and --max-stop-token-ids at least 0.");
        foreach (var (port, what) in Ports())
            if (!IsFree(port))
                problems.Add($"port {port} ({what}) is already in use; choose another with the matching option.");
        return problems;
    }

    IEnumerable<(int Port, string What)> Ports()
    {
        if (IsGateway)
            yield return (HttpPort, "--http-port");
        if (MetricsPort is { } metrics)
            yield return (metrics, "--metrics-port");
        if (HasKvReceiver)
            yield return (KvPort, "--kv-port");
        yield return (SiloPort, "--silo-port");
        yield return (OrleansClientPort, "--orleans-client-port");
    }

    static bool IsFree(int port)
    {
        try
        {
            using var listener = new TcpListener(IPAddress.Any, port);
            listener.Start();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
