namespace Serving.LoadTest.Soak.Checks;

/// <summary>
/// One process's memory after warm-up: the mean RSS of the first window after warm-up (baseline) and of the last
/// window of the load (final), the growth between them, the least-squares slope over everything in between, and the
/// peak. Only a process that lived from warm-up to the end is judged; a restarted one is reported, not judged.
/// </summary>
internal sealed record RssVerdict(
    string Name,
    int Pid,
    bool Judged,
    double BaselineMb,
    double FinalMb,
    double PeakMb,
    double GrowthPercent,
    double SlopeMbPerHour,
    string? Note,
    IReadOnlyList<double[]> Samples)
{
    const double Mb = 1024 * 1024;

    /// <param name="warmUpEndS">Soak seconds when the warm-up ended.</param>
    /// <param name="loadEndS">Soak seconds when the load ended.</param>
    public static RssVerdict Of(RssSeries series, double warmUpEndS, double loadEndS)
    {
        var samples = series.Samples;
        var points = samples.Select(s => new[] { Math.Round(s.T, 1), Math.Round(s.Bytes / Mb, 1) }).ToList();
        var peak = samples.Count > 0 ? samples.Max(s => s.Bytes) / Mb : 0;
        var window = Window(warmUpEndS, loadEndS);
        var first = samples.Where(s => s.T >= warmUpEndS && s.T <= warmUpEndS + window).ToList();
        var last = samples.Where(s => s.T >= loadEndS - window && s.T <= loadEndS + 1).ToList();
        if (series.StartedS > warmUpEndS || first.Count == 0 || last.Count == 0 || samples[^1].T < loadEndS - window)
        {
            var why = series.StartedS > warmUpEndS ? $"started at {series.StartedS:0} s, after the warm-up (a restart)" : "did not run from the warm-up to the end of the load";
            return new RssVerdict(series.Name, series.Pid, false, 0, 0, Math.Round(peak, 1), 0, 0, why, points);
        }
        var baseline = first.Average(s => s.Bytes) / Mb;
        var final = last.Average(s => s.Bytes) / Mb;
        var slope = Slope(samples.Where(s => s.T >= warmUpEndS && s.T <= loadEndS + 1).ToList()) / Mb * 3600;
        return new RssVerdict(series.Name, series.Pid, true, Math.Round(baseline, 1), Math.Round(final, 1), Math.Round(peak, 1),
            Math.Round(100 * (final - baseline) / baseline, 2), Math.Round(slope, 1), null, points);
    }

    /// <summary>The averaging window: a tenth of the time after warm-up, within 10 s to 2 min.</summary>
    public static double Window(double warmUpEndS, double loadEndS) => Math.Clamp(0.1 * (loadEndS - warmUpEndS), 10, 120);

    /// <summary>Least-squares slope of bytes over seconds.</summary>
    static double Slope(IReadOnlyList<(double T, long Bytes)> points)
    {
        if (points.Count < 2)
            return 0;
        var meanT = points.Average(p => p.T);
        var meanB = points.Average(p => (double)p.Bytes);
        var num = points.Sum(p => (p.T - meanT) * (p.Bytes - meanB));
        var den = points.Sum(p => (p.T - meanT) * (p.T - meanT));
        return den == 0 ? 0 : num / den;
    }

    public static SoakCheck Check(IReadOnlyList<RssVerdict> verdicts, double maxGrowthPercent, string? unavailable)
    {
        const string Name = "rss growth";
        if (verdicts.Count == 0)
            return new SoakCheck(Name, CheckStatus.Skipped, unavailable ?? "no server process to read");
        var judged = verdicts.Where(v => v.Judged).ToList();
        if (judged.Count == 0)
            return new SoakCheck(Name, CheckStatus.Skipped, "no process ran from the warm-up to the end");
        var figures = string.Join("; ", judged.Select(v => $"{v.Name} {v.BaselineMb:0} → {v.FinalMb:0} MB ({v.GrowthPercent:+0.0;-0.0}%, {v.SlopeMbPerHour:+0;-0} MB/h)"));
        var over = judged.Where(v => v.GrowthPercent >= maxGrowthPercent).ToList();
        return over.Count == 0
            ? new SoakCheck(Name, CheckStatus.Pass, $"under {maxGrowthPercent:0.#}% after warm-up: {figures}")
            : new SoakCheck(Name, CheckStatus.Fail, $"{string.Join(", ", over.Select(v => v.Name))} grew {maxGrowthPercent:0.#}% or more after warm-up: {figures}");
    }
}
