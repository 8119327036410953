namespace Serving.GatewayBench.Fake;

/// <summary>The fake engine's steps since the last <see cref="Drain"/>: written on the engine thread, read by the control channel.</summary>
internal sealed class StepRecorder
{
    readonly Lock gate = new();
    List<StepSample> samples = [];

    public void Record(StepSample sample)
    {
        lock (gate)
            samples.Add(sample);
    }

    public List<StepSample> Drain()
    {
        lock (gate)
        {
            var drained = samples;
            samples = [];
            return drained;
        }
    }
}
