namespace Serving.Worker.Transfer;

/// <summary>Tuning for KV over gRPC: chunk size and HTTP/2 flow-control windows sized for bulk transfer.</summary>
public sealed record GrpcKvOptions
{
    public int ChunkBytes { get; init; } = 1 << 20;
    public int StreamWindowBytes { get; init; } = 16 << 20;
    public int ConnectionWindowBytes { get; init; } = 64 << 20;
    public int MaxFrameBytes { get; init; } = 1 << 20;
    /// <summary>Largest message either side accepts: a chunk plus its framing.</summary>
    public int MaxMessageBytes => ChunkBytes + (64 << 10);
}
