namespace Serving.Planning.Model;

/// <summary>
/// How a profile was calibrated on steps a serving cluster ran: the decode model's fixed and per-request terms
/// multiplied by <paramref name="DecodeFixedFactor"/>, its per-context-token term by <paramref name="DecodeContextFactor"/>,
/// and the prefill model (and layer-group overhead) by <paramref name="PrefillFactor"/>; fitted on
/// <paramref name="DecodeSteps"/> steps with decodes and <paramref name="PrefillSteps"/> with prefill work.
/// </summary>
public sealed record ProfileCalibration(
    double DecodeFixedFactor,
    double DecodeContextFactor,
    double PrefillFactor,
    int DecodeSteps,
    int PrefillSteps,
    string Source);
