namespace Serving.LoadTest.Soak.Target;

/// <summary>The server under test, however it came to run; disposing stops what the soak started.</summary>
internal interface ISoakTarget : IAsyncDisposable
{
    Uri BaseUrl { get; }

    /// <summary>One line for the report: what runs, and where.</summary>
    string Description { get; }

    /// <summary>The server processes running now (for RSS); empty when none is known.</summary>
    IReadOnlyList<WatchedProcess> Processes { get; }

    /// <summary>Whether the server's log lines reach the soak (it started the processes, or follows a log file).</summary>
    bool CapturesLogs { get; }

    /// <summary>Kills and restarts worker processes; null when the soak did not start a cluster.</summary>
    IWorkerKiller? Killer { get; }
}
