namespace Serving.LoadTest.Soak.Target;

/// <summary>A server process whose memory the soak samples: a name for the report, its pid, and when it started (soak seconds; 0 for one already running).</summary>
internal sealed record WatchedProcess(string Name, int Pid, double StartedS);
