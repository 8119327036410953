namespace Serving.KvBench.Reporting;

/// <summary>
/// One timed bulk transfer; MB are 10^6 bytes. A raw TCP sample (always 1 MiB writes on one connection) carries the
/// chunk size and stream count of the gRPC sample it was taken beside.
/// </summary>
internal sealed record ThroughputSample(int Rep, string Transport, int ChunkBytes, int Streams, long Bytes, double Seconds, double MbPerS, double CpuSeconds)
{
    /// <summary>CPU seconds both processes spent per GB (10^9 bytes) moved.</summary>
    public double CpuSecondsPerGb => Math.Round(CpuSeconds / (Bytes / 1e9), 3);

    public static ThroughputSample Of(int rep, string transport, int chunkBytes, int streams, long bytes, double seconds, double cpuSeconds) =>
        new(rep, transport, chunkBytes, streams, bytes, Math.Round(seconds, 6), Math.Round(bytes / seconds / 1e6, 1), Math.Round(cpuSeconds, 2));
}
