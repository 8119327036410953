namespace Serving.LoadTest.Soak;

/// <summary>
/// The server under test: one already running (<see cref="SoakTopology.External"/>), or `serving` processes this tool
/// starts — the README's one-process default, or a Redis cluster of a gateway and worker processes it can kill.
/// </summary>
internal sealed record SoakTargetSettings
{
    public SoakTopology Topology { get; init; } = SoakTopology.External;
    /// <summary>An external server's root; ignored when the tool starts the server.</summary>
    public Uri BaseUrl { get; init; } = new("http://127.0.0.1:8000/");
    public string? ApiKey { get; init; }
    /// <summary>Null: the first of /v1/models.</summary>
    public string? Model { get; init; }

    /// <summary>serving.dll to start (null: this repository's build).</summary>
    public string? ServingDll { get; init; }
    /// <summary>More options for every started `serving` process.</summary>
    public string ServingArgs { get; init; } = "";
    public int PrefillProcesses { get; init; } = 1;
    public int DecodeProcesses { get; init; } = 2;

    /// <summary>An external server's processes on this machine, whose RSS the tool reads from /proc.</summary>
    public IReadOnlyList<int> ServerPids { get; init; } = [];
    /// <summary>An external server's log file, followed for error-level lines.</summary>
    public string? ServerLog { get; init; }
}
