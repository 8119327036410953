namespace Serving.Worker.Transfer;

/// <summary>How KV moves from prefill to decode workers; every process of a cluster runs the same kind.</summary>
public enum KvTransportKind
{
    /// <summary><see cref="Local"/> when the decode worker lives in the prefill worker's process, else <see cref="Grpc"/>.</summary>
    Auto,

    /// <summary>The prefill worker pushes over a gRPC client stream into the decode worker's process.</summary>
    Grpc,

    /// <summary>The decode worker pulls over a gRPC server stream from the prefill worker's process (the faster direction in grpc-dotnet).</summary>
    GrpcPull,

    /// <summary>In-process handoff, straight from the exported buffer: both workers in one process.</summary>
    Local,
}

/// <summary>The names of <see cref="KvTransportKind"/> on the command line, in environment variables and in metrics.</summary>
public static class KvTransportKinds
{
    static readonly string[] names = ["auto", "grpc", "grpc-pull", "local"];

    public static IReadOnlyList<string> Names => names;

    public static string Name(this KvTransportKind kind) => names[(int)kind];

    public static bool TryParse(string name, out KvTransportKind kind)
    {
        var index = Array.IndexOf(names, name);
        kind = (KvTransportKind)Math.Max(0, index);
        return index >= 0;
    }

    public static KvTransportKind Parse(string name) =>
        TryParse(name, out var kind) ? kind : throw new ArgumentException($"unknown KV transport '{name}' ({string.Join(", ", Names)}).");
}
