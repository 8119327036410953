using ScottPlot;
using Serving.Planning.Control;
using Serving.Planning.Model;
using Serving.Planning.Planner;
using Serving.Tools.Shared;

namespace Serving.Host;

/// <summary>`serving plan --plot`: simulated SLO attainment against request rate for the best candidates of a plan.</summary>
internal static class PlanPlot
{
    const int Width = 720;
    const int Height = 450;
    const int Points = 24;

    /// <summary>
    /// Draws the best candidate of each of the top <paramref name="top"/> setups (the split, and G when colocated;
    /// candidates that differ only in threshold or batch limits are usually the same curve) into <paramref name="path"/> (PNG).
    /// </summary>
    public static void Write(string path, Plan plan, WorkerProfile profile, int top)
    {
        if (!PlotFonts.EnsureRegistered())
            Console.Error.WriteLine("warning: no TrueType font found (install fonts-dejavu-core): the plot will have no text");
        var shown = plan.Candidates.DistinctBy(c => c.Config.PrefillWorkers == 0 ? Replanner.Label(c.Config) : c.Config.Shape)
            .Take(Math.Max(1, top)).ToArray();
        // Far enough right that every curve is seen falling below the target.
        var maxRate = Math.Max(shown.Max(c => c.Goodput), 0.05) * 1.75;
        var rates = Enumerable.Range(1, Points).Select(i => maxRate * i / Points).ToArray();
        var labels = shown.Select(c => Replanner.Label(c.Config)).ToArray();
        var plot = new Plot();
        var palette = new ScottPlot.Palettes.Category10();
        for (var i = 0; i < shown.Length; i++)
        {
            var c = shown[i];
            var attainment = PlacementPlanner.AttainmentAt(c.Config, profile, plan.Request, rates).Select(a => 100 * a).ToArray();
            var line = plot.Add.ScatterLine(rates, attainment, palette.GetColor(i));
            line.LineWidth = 2;
            line.LegendText = $"{labels[i]}: {c.Goodput:0.##} req/s";
        }
        var target = plan.Request.AttainmentTarget;
        plot.Add.HorizontalLine(100 * target, 1.5f, Colors.Gray, LinePattern.Dashed).LegendText = $"target {100 * target:0}%";
        var slo = plan.Request.Slo;
        plot.Title($"Simulated SLO attainment, {plan.Request.Workers} workers (TTFT ≤ {slo.TtftSeconds * 1000:0.#} ms, TPOT ≤ {slo.TpotSeconds * 1000:0.#} ms)");
        plot.XLabel("request rate (req/s)");
        plot.YLabel("attainment (%)");
        plot.Axes.SetLimits(0, maxRate, 0, 102);
        plot.ShowLegend(Alignment.LowerLeft);
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        plot.SavePng(path, Width, Height);
    }
}
