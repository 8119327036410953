namespace Serving.KvBench.Reporting;

/// <summary>
/// One timed bulk transfer; MB are 10^6 bytes. A raw TCP sample (always 1 MiB writes on one connection) carries the
/// chunk size and stream count of the gRPC sample it was taken beside.
/// </summary>
internal sealed record ThroughputSample(int Rep, string Transport, int ChunkBytes, int Streams, long Bytes, double Seconds, double MbPerS)
{
    public static ThroughputSample Of(int rep, string transport, int chunkBytes, int streams, long bytes, double seconds) =>
        new(rep, transport, chunkBytes, streams, bytes, Math.Round(seconds, 6), Math.Round(bytes / seconds / 1e6, 1));
}
