namespace Serving.LoadTest.Soak.Checks;

/// <summary>One process's resident memory over the soak: (soak seconds, bytes) samples.</summary>
internal sealed class RssSeries(string name, int pid, double startedS)
{
    readonly List<(double T, long Bytes)> samples = [];

    public string Name => name;
    public int Pid => pid;
    public double StartedS => startedS;

    public IReadOnlyList<(double T, long Bytes)> Samples => samples;

    public void Add(double t, long bytes) => samples.Add((t, bytes));
}
