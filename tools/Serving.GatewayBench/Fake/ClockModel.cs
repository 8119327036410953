using Serving.Engine.Cache;
using Serving.Engine.Model;
using static TorchSharp.torch;

namespace Serving.GatewayBench.Fake;

/// <summary>
/// The model replaced by a clock, below the real engine: each pass takes one fixed interval from the moment it
/// begins (as a model step would) and scores <see cref="ClockEngine.TokenId"/> highest for every sampled row. No
/// layer runs and no KV is written; the scheduler, sampler, output processor and loop above it are the real ones.
/// </summary>
internal sealed class ClockModel(TimeSpan interval, int numLayers, StepRecorder? recorder) : IForwardModel
{
    readonly long intervalTicks = Clock.Ticks(interval);
    long deadline;
    long lastReturned;
    double between;

    public Device Device { get; } = CPU;
    public int NumLayers { get; } = numLayers;

    public void Begin(ForwardBatch batch)
    {
        var entered = Clock.Now();
        // The engine's and the loop's own time since the last pass, when it went straight on with running requests.
        between = lastReturned != 0 && batch.NumDecodes > 0 ? Clock.Ms(lastReturned, entered) : double.NaN;
        deadline = entered + intervalTicks;
        batch.Hidden = zeros(batch.NumTokens, 1);
    }

    public void RunLayers(ForwardBatch batch, int endLayer, KvCache cache) => batch.NextLayer = endLayer;

    public Tensor Logits(ForwardBatch batch)
    {
        PreciseSleep.Until(deadline);
        var woke = Clock.Now();
        var rows = batch.LogitRows.shape[0];
        // Only the tokens up to the emitted one are scored, and it by far: any sampling settings pick it.
        var logits = zeros(rows, ClockEngine.TokenId + 1);
        logits[TensorIndex.Colon, ClockEngine.TokenId] = tensor(1e4f);
        recorder?.Record(new StepSample(Clock.Ms(deadline, woke), between, (int)rows));
        lastReturned = Clock.Now();
        return logits;
    }

    public void Dispose()
    {
    }
}
