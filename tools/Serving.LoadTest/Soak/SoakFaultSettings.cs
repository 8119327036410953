namespace Serving.LoadTest.Soak;

/// <summary>
/// Faults beyond the client's own disconnects. Kills need a cluster this tool started; the commands are hooks for
/// anything it cannot do itself (kill a process it did not start; flip a worker's role, which only the in-cluster
/// planner can do today — no endpoint exposes it).
/// </summary>
internal sealed record SoakFaultSettings
{
    /// <summary>Mean time between kills of a random worker process (null: none).</summary>
    public TimeSpan? KillInterval { get; init; }
    /// <summary>How long a killed worker stays down before it is started again.</summary>
    public TimeSpan RestartAfter { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>A shell command run every <see cref="KillCommandInterval"/> (e.g. `pkill -9 -f 'roles decode'` on a cluster started elsewhere).</summary>
    public string? KillCommand { get; init; }
    public TimeSpan KillCommandInterval { get; init; } = TimeSpan.FromSeconds(60);
    /// <summary>A shell command run every <see cref="RoleFlipInterval"/> that switches some worker's role.</summary>
    public string? RoleFlipCommand { get; init; }
    public TimeSpan RoleFlipInterval { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>After a fault (a restarted worker ready again, a hook done), error-level log lines still count as its consequences for this long.</summary>
    public TimeSpan Grace { get; init; } = TimeSpan.FromSeconds(30);

    public bool Any => KillInterval is not null || KillCommand is not null || RoleFlipCommand is not null;
}
