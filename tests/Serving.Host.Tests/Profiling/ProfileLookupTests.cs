using Serving.Cluster.Workers;

namespace Serving.Host.Tests.Profiling;

/// <summary>
/// The planner looks for the profile under the name `serving profile` gives it: the device and dtype the workers'
/// engines resolve to, not the options as written.
/// </summary>
public sealed class ProfileLookupTests
{
    static readonly int Threads = LocalWorkers.ThreadsPerWorker(2);

    [Fact]
    public void ACpuWorkerOnAGpuMachine_LooksForTheCpuProfile()
    {
        var settings = new HostSettings { Device = "cpu", ModelPath = null };

        var path = PlannerWiring.ProfilePath(settings, checkpointDtype: "bfloat16", cudaAvailable: true);

        Assert.Equal($"tiny-llama-cpu-{Threads}t-float32.json", Path.GetFileName(path));
    }

    [Fact]
    public void AutoDtypeOnAGpu_LooksForTheCheckpointsDtype()
    {
        var settings = new HostSettings();

        Assert.Equal("tiny-llama-cuda-float16.json", Path.GetFileName(PlannerWiring.ProfilePath(settings, "float16", cudaAvailable: true)));
        Assert.Equal("tiny-llama-cuda-bfloat16.json", Path.GetFileName(PlannerWiring.ProfilePath(settings, "bfloat16", cudaAvailable: true)));
        Assert.Equal($"tiny-llama-cpu-{Threads}t-float32.json", Path.GetFileName(PlannerWiring.ProfilePath(settings, "float16", cudaAvailable: false)));
    }

    [Fact]
    public void AnExplicitDtype_IsNamedCanonically()
    {
        var settings = new HostSettings { Device = "cuda:1", DType = "bf16" };

        Assert.Equal("tiny-llama-cuda-bfloat16.json", Path.GetFileName(PlannerWiring.ProfilePath(settings, "float16", cudaAvailable: true)));
    }
}
