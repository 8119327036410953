using System.Collections.Concurrent;
using Grpc.Net.Client;
using Serving.Worker.Security;

namespace Serving.Worker.Transfer;

/// <summary>
/// One gRPC channel (an HTTP/2 connection pool) per peer process, with windows sized for bulk transfer. With the
/// cluster's TLS, each connection presents this process's certificate and accepts only a peer of the cluster CA.
/// </summary>
public sealed class KvChannels(GrpcKvOptions options, ClusterTls? tls = null) : IDisposable
{
    readonly ConcurrentDictionary<string, GrpcChannel> channels = new();

    public GrpcKvOptions Options { get; } = options;

    public GrpcChannel For(string address) => channels.GetOrAdd(address, a => GrpcChannel.ForAddress(a, new GrpcChannelOptions
    {
        HttpHandler = new SocketsHttpHandler
        {
            InitialHttp2StreamWindowSize = Options.StreamWindowBytes,
            EnableMultipleHttp2Connections = true,
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5),
            KeepAlivePingDelay = TimeSpan.FromSeconds(30),
            SslOptions = tls?.ClientOptions() ?? new(),
        },
        MaxSendMessageSize = Options.MaxMessageBytes,
        MaxReceiveMessageSize = Options.MaxMessageBytes,
        // A call cancelled by our token ends as OperationCanceledException, not RpcException(Cancelled) on some paths.
        ThrowOperationCanceledOnCancellation = true,
    }));

    /// <summary>Whether a failed call's status may pass on a retry (a peer restarting, a dropped connection).</summary>
    public static bool IsRetryable(Grpc.Core.StatusCode code) =>
        code is Grpc.Core.StatusCode.Unavailable or Grpc.Core.StatusCode.DeadlineExceeded or Grpc.Core.StatusCode.DataLoss
            or Grpc.Core.StatusCode.Aborted or Grpc.Core.StatusCode.Internal or Grpc.Core.StatusCode.Unknown;

    public void Dispose()
    {
        foreach (var channel in channels.Values)
            channel.Dispose();
    }
}
