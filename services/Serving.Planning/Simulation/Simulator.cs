using Serving.Planning.Model;

namespace Serving.Planning.Simulation;

/// <summary>Discrete-event simulation of a cluster configuration serving a workload under a latency model.</summary>
public static class Simulator
{
    /// <summary>Runs <paramref name="requests"/> (sorted by arrival) to completion and returns every request's latencies.</summary>
    public static SimulationResult Run(ClusterConfig config, WorkerProfile profile, IReadOnlyList<SimRequest> requests)
    {
        config.Validate();
        return new SimulationRun(config, profile, requests).Run();
    }
}
