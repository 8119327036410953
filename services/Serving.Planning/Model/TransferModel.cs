namespace Serving.Planning.Model;

/// <summary>KV transfer time: <c>tokens·BytesPerToken / BandwidthBytesPerSecond + LatencySeconds</c>.</summary>
public sealed record TransferModel(double BytesPerToken, double BandwidthBytesPerSecond, double LatencySeconds)
{
    /// <summary>Seconds to move the KV of <paramref name="tokens"/> tokens between workers.</summary>
    public double Time(long tokens) => tokens * BytesPerToken / BandwidthBytesPerSecond + LatencySeconds;
}
