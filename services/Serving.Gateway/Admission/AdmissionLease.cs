namespace Serving.Gateway.Admission;

/// <summary>An admitted request's hold on the gateway's sequence budget, given back on dispose.</summary>
internal readonly struct AdmissionLease(AdmissionControl owner, int sequences) : IDisposable
{
    public void Dispose() => owner.Leave(sequences);
}
