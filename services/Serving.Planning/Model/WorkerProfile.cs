namespace Serving.Planning.Model;

/// <summary>The fitted latency model of one model on one device kind.</summary>
/// <param name="Model">Model name the profile was measured with.</param>
/// <param name="Device">Device kind, e.g. <c>cpu-2t</c> or <c>h200</c>.</param>
/// <param name="Layers">Transformer layers; bounds the layered-prefill group count.</param>
/// <param name="Prefill">Whole-model prefill time.</param>
/// <param name="Decode">Decode step time.</param>
/// <param name="LayerGroupOverheadSeconds">Extra cost of each layered-prefill iteration (launch, bookkeeping).</param>
/// <param name="Transfer">KV transfer between workers.</param>
/// <param name="Calibration">Set when the engine-alone fit was calibrated on a serving cluster's steps (<c>serving calibrate</c>).</param>
public sealed record WorkerProfile(
    string Model,
    string Device,
    int Layers,
    PrefillModel Prefill,
    DecodeModel Decode,
    double LayerGroupOverheadSeconds,
    TransferModel Transfer,
    ProfileCalibration? Calibration = null)
{
    /// <summary>Seconds to run one of <paramref name="groups"/> layer groups of a prefill batch of <paramref name="prompts"/> prompts.</summary>
    public double PrefillGroupTime(long tokens, double sumSquares, int prompts, int groups) =>
        groups <= 1
            ? Prefill.Time(tokens, sumSquares, prompts)
            : Prefill.Time(tokens, sumSquares, prompts) / groups + LayerGroupOverheadSeconds;

    /// <summary>
    /// The profile corrected by what a running cluster observed: prefill (and layer-group) times multiplied by
    /// <paramref name="prefillFactor"/>, decode steps by <paramref name="decodeFactor"/>.
    /// </summary>
    public WorkerProfile Corrected(double prefillFactor, double decodeFactor) => this with
    {
        Prefill = Prefill.Scaled(prefillFactor),
        Decode = Decode.Scaled(decodeFactor),
        LayerGroupOverheadSeconds = LayerGroupOverheadSeconds * prefillFactor,
    };
}
