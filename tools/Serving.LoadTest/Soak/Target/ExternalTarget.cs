using Serving.LoadTest.Soak.Checks;

namespace Serving.LoadTest.Soak.Target;

/// <summary>A server someone else started. The soak sees its memory only through --server-pid, and its log only through --server-log.</summary>
internal sealed class ExternalTarget(SoakTargetSettings settings, LogTail? tail) : ISoakTarget
{
    public Uri BaseUrl => settings.BaseUrl;
    public string Description => $"{BaseUrl}{(settings.ServerPids.Count > 0 ? $", pid {string.Join(", ", settings.ServerPids)}" : "")}{(settings.ServerLog is { } log ? $", log {log}" : "")}";
    public IReadOnlyList<WatchedProcess> Processes => [.. settings.ServerPids.Where(p => ProcMemory.RssBytes(p) is not null).Select(p => new WatchedProcess($"pid {p}", p, 0))];
    public bool CapturesLogs => tail is not null;
    public IWorkerKiller? Killer => null;

    public static ExternalTarget Open(SoakTargetSettings settings, LogBook log) =>
        new(settings, settings.ServerLog is { } path ? LogTail.Follow(path, log) : null);

    public async ValueTask DisposeAsync()
    {
        if (tail is not null)
            await tail.DisposeAsync();
    }
}
