namespace Serving.Planning.LoadTests;

/// <summary>When the requests of a run are sent.</summary>
public enum ArrivalMode
{
    /// <summary>Gamma-distributed gaps at a mean rate; burstiness 1 is a Poisson process.</summary>
    Poisson,
    /// <summary>Every request at time zero.</summary>
    All,
    /// <summary>Every request at time zero, at most N in flight: a closed loop of N users.</summary>
    Concurrency,
    /// <summary>The arrival times a trace file gives.</summary>
    Trace,
}
