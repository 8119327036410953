using Serving.Planning.Model;

namespace Serving.Planning.Tests.Support;

/// <summary>Hand-picked latency models whose numbers are easy to add up.</summary>
internal static class Profiles
{
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
