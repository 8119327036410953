using Serving.Cluster.Planner;
using Serving.Cluster.Workers;
using Serving.Model.Config;
using Serving.Engine.Core;
using Serving.Host.Profiling;
using Serving.Planning.Model;
using Serving.Planning.Planner;
using Serving.Planning.Simulation;

namespace Serving.Host;

/// <summary>The runtime planner's options from the host settings, with the workers' profile loaded.</summary>
internal static class PlannerWiring
{
    public static PlannerOptions Options(HostSettings settings, string modelFolder, ILogger logger)
    {
        var path = settings.ProfilePath ?? SavedProfile(settings, modelFolder);
        WorkerProfile? profile = null;
        if (path is not null)
        {
            try
            {
                profile = ProfileJson.Deserialize(File.ReadAllText(path));
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.Text.Json.JsonException)
            {
                logger.LogWarning(e, "Cannot read the profile {Path}; the planner will not re-plan. Write one with `serving profile`.", path);
            }
        }
        return new PlannerOptions
        {
            Profile = profile,
            ProfileSource = path,
            Enabled = settings.Planner,
            Slo = new Slo(settings.SloTtftMs / 1000, settings.SloTpotMs / 1000),
            AttainmentTarget = settings.SloAttainment,
            Interval = TimeSpan.FromSeconds(settings.ReplanIntervalSeconds),
            MinInterval = TimeSpan.FromSeconds(settings.ReplanMinIntervalSeconds),
            Window = TimeSpan.FromSeconds(settings.PlannerWindowSeconds),
            Hysteresis = settings.PlannerHysteresis,
            ScaleHeadroom = settings.PlannerHeadroom,
            Space = new SearchSpace(LayerGroups: settings.PlannerLayerGroups, ShortPromptThresholds: settings.PlannerThresholds,
                Colocated: settings.PlannerColocated, Disaggregated: settings.PlannerDisaggregated),
        };
    }

    /// <summary>
    /// The profile `serving profile` saved for this model on the device and dtype the workers here resolve to, with
    /// the threads each worker here gets (CPU timings depend on the thread count); its calibrated copy
    /// (`serving calibrate` writes it beside) first.
    /// </summary>
    static string? SavedProfile(HostSettings settings, string modelFolder)
    {
        string path;
        try
        {
            path = ProfilePath(settings, ModelConfig.Load(modelFolder).TorchDtype, TorchSharp.torch.cuda.is_available());
        }
        catch (ArgumentException)
        {
            // A device or dtype the engine cannot run: the workers refuse it with the reason when they start.
            return null;
        }
        var calibrated = Path.ChangeExtension(path, ".calibrated.json");
        return File.Exists(calibrated) ? calibrated : File.Exists(path) ? path : null;
    }

    /// <summary>Where `serving profile` saves the profile of the engines these settings start (the name it would give it).</summary>
    public static string ProfilePath(HostSettings settings, string checkpointDtype, bool cudaAvailable) =>
        ProfilePaths.DefaultPath(ProfilePaths.ModelName(settings.ModelPath), EngineTarget.Resolve(settings.Device, settings.DType, checkpointDtype, cudaAvailable),
            LocalWorkers.ThreadsPerWorker(settings.Workers().Count()));
}
