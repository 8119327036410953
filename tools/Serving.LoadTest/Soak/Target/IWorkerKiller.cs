using Serving.LoadTest.Soak.Faults;

namespace Serving.LoadTest.Soak.Target;

/// <summary>Kills a worker process with SIGKILL (no drain, as a crash or an OOM kill does) and starts a new one in its place.</summary>
internal interface IWorkerKiller
{
    Task<FaultRecord> KillAndRestartAsync(Random random, TimeSpan restartAfter, CancellationToken cancellationToken);
}
