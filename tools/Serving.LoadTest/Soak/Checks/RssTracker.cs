using Serving.LoadTest.Soak.Target;

namespace Serving.LoadTest.Soak.Checks;

/// <summary>Samples the RSS of the target's server processes (VmRSS from /proc) every interval; a restarted process gets a new series.</summary>
internal sealed class RssTracker(ISoakTarget target, SoakClock clock, TimeSpan interval)
{
    readonly Lock gate = new();
    readonly Dictionary<int, RssSeries> series = [];

    public IReadOnlyList<RssSeries> Series
    {
        get
        {
            lock (gate)
                return [.. series.Values.OrderBy(s => s.StartedS).ThenBy(s => s.Name, StringComparer.Ordinal)];
        }
    }

    /// <summary>The latest total over the live processes, for the progress line (null when none is watched).</summary>
    public long? LatestTotalBytes { get; private set; }

    public async Task RunAsync(CancellationToken stop)
    {
        using var timer = new PeriodicTimer(interval);
        do
            Sample();
        while (await Tick(timer, stop));
    }

    static async Task<bool> Tick(PeriodicTimer timer, CancellationToken stop)
    {
        try
        {
            return await timer.WaitForNextTickAsync(stop);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    /// <summary>Takes one sample of every live process now.</summary>
    public void Sample()
    {
        var now = clock.Seconds;
        long total = 0;
        var any = false;
        foreach (var p in target.Processes)
        {
            if (ProcMemory.RssBytes(p.Pid) is not { } bytes)
                continue;
            lock (gate)
            {
                if (!series.TryGetValue(p.Pid, out var s))
                    series[p.Pid] = s = new RssSeries(p.Name, p.Pid, p.StartedS);
                s.Add(now, bytes);
            }
            total += bytes;
            any = true;
        }
        LatestTotalBytes = any ? total : null;
    }
}
