using ScottPlot;
using Serving.Planning.LoadTests;
using Serving.Tools.Shared;

namespace Serving.LoadTest.Output;

/// <summary>The PNG figures of a result: TTFT and TPOT CDFs, latency over time, and attainment vs rate for a sweep or search.</summary>
internal static class Plots
{
    const int Width = 640;
    const int Height = 400;

    /// <summary>Writes the figures into <paramref name="folder"/>; returns the files written.</summary>
    public static List<string> Write(string folder, LoadTestResult result)
    {
        var fonts = PlotFonts.EnsureRegistered();
        if (!fonts)
            Console.Error.WriteLine("warning: no TrueType font found (install fonts-dejavu-core): plots will have no text");
        var files = new List<string>();
        var runs = result.Runs.Where(r => r.Summary.Completed > 0).ToArray();
        if (runs.Length == 0)
            return files;
        var byRate = runs.OrderBy(r => r.Rate ?? 0).ToArray();
        files.Add(Cdf(folder, "ttft-cdf.png", "TTFT", byRate, r => r.Success ? r.TtftMs : null, result.Slo.TtftMs));
        files.Add(Cdf(folder, "tpot-cdf.png", "TPOT", byRate, r => r.TpotMs, result.Slo.TpotMs));
        // Over time: the run of the search's answer, else the last run.
        var shown = runs.FirstOrDefault(r => result.Search is { } s && r.Rate is { } rate && Math.Abs(rate - OfferedOf(s)) < 1e-3) ?? runs[^1];
        files.Add(OverTime(folder, shown, result.Slo));
        if (result.Runs.Count > 1)
        {
            files.Add(Attainment(folder, result));
            // Files from before the achieved rate was measured have none to draw.
            if (result.Runs.Any(r => r.Summary.AchievedRate > 0))
                files.Add(Achieved(folder, result));
        }
        return files;
    }

    static string Cdf(string folder, string file, string metric, RunRecord[] runs, Func<RequestResult, double?> value, double? slo)
    {
        var plot = new Plot();
        foreach (var (i, run) in runs.Index())
        {
            var xs = run.Requests.Select(value).OfType<double>().Order().ToArray();
            if (xs.Length == 0)
                continue;
            var ys = xs.Select((_, k) => 100.0 * (k + 1) / xs.Length).ToArray();
            var line = plot.Add.ScatterLine(xs, ys, Palette(i));
            line.LineWidth = 2;
            line.LegendText = run.Rate is { } rate ? $"{rate:0.##} req/s" : "";
        }
        if (slo is { } s)
        {
            var v = plot.Add.VerticalLine(s, 1.5f, Colors.Gray, LinePattern.Dashed);
            v.LegendText = $"SLO {s:0.#} ms";
        }
        plot.Title($"{metric} CDF");
        plot.XLabel($"{metric} (ms)");
        plot.YLabel("requests (%)");
        plot.Axes.SetLimitsY(0, 101);
        plot.Axes.SetLimitsX(0, double.NaN);
        ShowLegend(plot, runs.Length > 1 || slo is not null);
        return Save(plot, folder, file);
    }

    static string OverTime(string folder, RunRecord run, Slo slo)
    {
        var plot = new Plot();
        var ok = run.Requests.Where(r => r.Success && r.SentS is not null).ToArray();
        var ttft = plot.Add.ScatterPoints(ok.Select(r => r.SentS!.Value).ToArray(), ok.Select(r => r.TtftMs).ToArray(), Palette(0));
        ttft.LegendText = "TTFT";
        ttft.MarkerSize = 4;
        var withTpot = ok.Where(r => r.TpotMs is not null).ToArray();
        var tpot = plot.Add.ScatterPoints(withTpot.Select(r => r.SentS!.Value).ToArray(), withTpot.Select(r => r.TpotMs!.Value).ToArray(), Palette(1));
        tpot.LegendText = "TPOT";
        tpot.MarkerSize = 4;
        var failed = run.Requests.Where(r => !r.Success && r.SentS is not null).ToArray();
        if (failed.Length > 0)
        {
            var x = plot.Add.ScatterPoints(failed.Select(r => r.SentS!.Value).ToArray(), failed.Select(_ => 0.0).ToArray(), Colors.Red);
            x.MarkerShape = MarkerShape.Eks;
            x.LegendText = "failed";
        }
        foreach (var (name, value, color) in new[] { ("TTFT SLO", slo.TtftMs, Palette(0)), ("TPOT SLO", slo.TpotMs, Palette(1)) })
            if (value is { } v)
                plot.Add.HorizontalLine(v, 1, color, LinePattern.Dashed).LegendText = name;
        plot.Title(run.Rate is { } rate ? $"Latency over time at {rate:0.##} req/s" : "Latency over time");
        plot.XLabel("send time (s)");
        plot.YLabel("ms");
        plot.Axes.SetLimitsY(0, double.NaN);
        ShowLegend(plot, true);
        return Save(plot, folder, "latency-over-time.png");
    }

    static string Attainment(string folder, LoadTestResult result)
    {
        var plot = new Plot();
        var points = result.Runs.Where(r => r.Rate is not null).OrderBy(r => r.Rate).ToArray();
        var line = plot.Add.Scatter(points.Select(r => r.Rate!.Value).ToArray(), points.Select(r => 100 * r.Summary.SloAttainment).ToArray(), Palette(0));
        line.LineWidth = 2;
        line.MarkerSize = 7;
        line.LegendText = "SLO attainment";
        // Each point says what the server achieved at that offered rate (a server that falls behind drifts below it).
        foreach (var r in points.Where(p => p.Summary.AchievedRate > 0))
        {
            var label = plot.Add.Text($"{r.Summary.AchievedRate:0.##}", r.Rate!.Value, 100 * r.Summary.SloAttainment);
            label.LabelFontSize = 10;
            // Below the marker: points at 100% sit on the top edge.
            label.LabelAlignment = Alignment.UpperCenter;
            label.LabelOffsetY = 6;
        }
        plot.Add.Scatter(Array.Empty<double>(), Array.Empty<double>()).LegendText = "labels: achieved req/s";
        var target = result.Search?.Target ?? 0.9;
        plot.Add.HorizontalLine(100 * target, 1.5f, Colors.Gray, LinePattern.Dashed).LegendText = $"target {100 * target:0}%";
        if (result.Search is { Goodput: > 0 } search)
            plot.Add.VerticalLine(OfferedOf(search), 1.5f, Palette(2), LinePattern.Dotted).LegendText = GoodputLabel(search);
        plot.Title(result.Slo.Any ? $"SLO attainment vs offered rate ({result.Slo})" : "Success rate vs offered rate");
        plot.XLabel("offered request rate (req/s)");
        plot.YLabel("attainment (%)");
        plot.Axes.SetLimitsY(0, 102);
        // Attainment is high at low rates and falls to the right: the lower left stays free.
        plot.ShowLegend(Alignment.LowerLeft);
        return Save(plot, folder, "attainment-vs-rate.png");
    }

    /// <summary>Achieved against offered rate: a server that keeps up sits on the diagonal; where it bends away is its capacity.</summary>
    static string Achieved(string folder, LoadTestResult result)
    {
        var plot = new Plot();
        var points = result.Runs.Where(r => r.Rate is not null).OrderBy(r => r.Rate).ToArray();
        var offered = points.Select(r => r.Rate!.Value).ToArray();
        var top = offered.Max();
        plot.Add.Line(0, 0, top, top).LegendText = "achieved = offered";
        if (result.Search is not null)
        {
            var share = Serving.Planning.Planner.KeptUp.AchievedShare;
            var keptUp = plot.Add.Line(0, 0, top, share * top);
            keptUp.LinePattern = LinePattern.Dashed;
            keptUp.Color = Colors.Gray;
            keptUp.LegendText = $"{100 * share:0}% of offered (kept up)";
        }
        var line = plot.Add.Scatter(offered, points.Select(r => double.IsFinite(r.Summary.AchievedRate) ? r.Summary.AchievedRate : r.Rate!.Value).ToArray(), Palette(0));
        line.LineWidth = 2;
        line.MarkerSize = 7;
        line.LegendText = "achieved";
        if (result.Search is { Goodput: > 0 } search)
            plot.Add.VerticalLine(OfferedOf(search), 1.5f, Palette(2), LinePattern.Dotted).LegendText = GoodputLabel(search);
        plot.Title("Achieved vs offered rate");
        plot.XLabel("offered request rate (req/s)");
        plot.YLabel("achieved request rate (req/s)");
        plot.Axes.SetLimits(0, top * 1.05, 0, top * 1.05);
        plot.ShowLegend(Alignment.UpperLeft);
        return Save(plot, folder, "achieved-vs-offered.png");
    }

    // Drawn at the offered rate of the passing probe; the goodput is what that probe achieved, when less.
    static string GoodputLabel(SearchResult search) => $"goodput {search.Goodput:0.##} req/s (offered {OfferedOf(search):0.##})";

    // Result files written before offered and achieved were told apart have no offered rate: it was the goodput.
    static double OfferedOf(SearchResult search) => search.Offered > 0 ? search.Offered : search.Goodput;

    static void ShowLegend(Plot plot, bool show)
    {
        if (!show)
            return;
        plot.ShowLegend(Alignment.LowerRight);
    }

    static Color Palette(int i) => new ScottPlot.Palettes.Category10().GetColor(i);

    static string Save(Plot plot, string folder, string file)
    {
        var path = Path.Combine(folder, file);
        plot.SavePng(path, Width, Height);
        return path;
    }
}
