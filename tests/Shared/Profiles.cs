using Serving.Planning.Model;

namespace Serving.Tests.Shared;

/// <summary>Hand-picked latency models whose numbers are easy to add up (compiled into each test project that plans).</summary>
internal static class Profiles
{
    /// <summary>Roughly a 7B model on one data-centre GPU: 512 KiB of KV per token over a 10 GB/s link.</summary>
    public static WorkerProfile Gpu(double bandwidthBytesPerSecond = 10e9) =>
        new(
            "synthetic-7b",
            "synthetic-gpu",
            32,
            new PrefillModel(0.01, 1.5e-4, 1e-8),
            new DecodeModel(0.012, 2e-4, 5e-7),
            0.0005,
            new TransferModel(512 * 1024, bandwidthBytesPerSecond, 0.001));

    public static WorkerProfile Simple(
        PrefillModel? prefill = null,
        DecodeModel? decode = null,
        TransferModel? transfer = null,
        double groupOverhead = 0,
        int layers = 32) =>
        new(
            "test-model",
            "test-device",
            layers,
            prefill ?? new PrefillModel(0.01, 0.001, 0),
            decode ?? new DecodeModel(0.005, 0.001, 0),
            groupOverhead,
            transfer ?? new TransferModel(1000, 1e6, 0.002));
}
