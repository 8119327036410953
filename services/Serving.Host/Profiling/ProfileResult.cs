using Serving.Planning.Model;

namespace Serving.Host.Profiling;

/// <summary>A fitted profile with the fit errors and the points behind it.</summary>
internal sealed record ProfileResult(
    WorkerProfile Profile,
    FitReport<PrefillModel> PrefillFit,
    FitReport<DecodeModel> DecodeFit,
    ProfileMeasurements Measurements,
    bool KvMeasured = false);
