using Serving.Contracts;
using Serving.Planning.Control;
using Serving.Planning.Simulation;

namespace Serving.Cluster.Planner;

/// <summary>Between the live cluster (workers' roles, G, the router's threshold) and the simulator's configurations.</summary>
internal static class SetupMapping
{
    /// <summary>What the live workers run now.</summary>
    public static ClusterSetup Current(IReadOnlyList<WorkerStatus> workers, int threshold)
    {
        int Count(WorkerRole role) => workers.Count(w => w.Worker.Role == role);
        // G matters where prompts are prefilled beside decodes.
        var local = workers.Where(w => w.Worker.Role != WorkerRole.Prefill).Select(w => w.Worker.LayerGroups).DefaultIfEmpty(1).Max();
        var prefills = Count(WorkerRole.Prefill);
        return new ClusterSetup(prefills, Count(WorkerRole.Decode), Count(WorkerRole.Mixed), local, prefills > 0 ? threshold : 0);
    }

    public static ClusterConfig ToConfig(ClusterSetup setup, IReadOnlyList<WorkerStatus> workers, PlannerOptions options)
    {
        var kv = workers.Select(w => w.Worker.KvCapacityTokens).Where(t => t > 0).DefaultIfEmpty(1 << 20).Min();
        return new ClusterConfig(setup.PrefillWorkers, setup.DecodeWorkers, setup.MixedWorkers, setup.LayerGroups, setup.ShortPromptThreshold,
            options.MaxBatchedPrefillTokens, options.MaxDecodeBatch, kv);
    }

    /// <summary>The setup as people read it, e.g. <c>1P+1D</c> or <c>2M G4</c>.</summary>
    public static string Label(ClusterSetup s) =>
        Replanner.Label(new ClusterConfig(s.PrefillWorkers, s.DecodeWorkers, s.MixedWorkers, s.LayerGroups, s.ShortPromptThreshold));

    public static ClusterSetup FromConfig(ClusterConfig config) =>
        new(config.PrefillWorkers, config.DecodeWorkers, config.MixedWorkers, config.LayerGroups, config.PrefillWorkers > 0 ? config.ShortPromptThreshold : 0);

    /// <summary>
    /// Each worker's role under <paramref name="setup"/>, moving as few workers as possible: workers keep their role
    /// while it is still needed; the rest fill the roles still short, in worker order.
    /// </summary>
    public static Dictionary<string, WorkerRole> AssignRoles(IReadOnlyList<WorkerStatus> workers, ClusterSetup setup)
    {
        var ordered = workers.OrderBy(w => w.Worker.WorkerId, StringComparer.Ordinal).ToList();
        var needed = Enum.GetValues<WorkerRole>().ToDictionary(r => r, setup.Count);
        var roles = new Dictionary<string, WorkerRole>();
        foreach (var w in ordered)
            if (needed[w.Worker.Role] > 0)
            {
                needed[w.Worker.Role]--;
                roles[w.Worker.WorkerId] = w.Worker.Role;
            }
        foreach (var w in ordered.Where(w => !roles.ContainsKey(w.Worker.WorkerId)))
        {
            var role = needed.First(n => n.Value > 0).Key;
            needed[role]--;
            roles[w.Worker.WorkerId] = role;
        }
        return roles;
    }
}
