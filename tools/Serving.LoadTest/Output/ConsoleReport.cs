using Serving.Planning.LoadTests;
using Spectre.Console;

namespace Serving.LoadTest.Output;

/// <summary>Prints a run's summary as tables, and the client's warning in yellow.</summary>
internal static class ConsoleReport
{
    public static void Print(RunRecord run, RunExtras? extras = null)
    {
        var title = run.Rate is { } rate ? $"Offered {rate:0.###} req/s, achieved {run.Summary.AchievedRate:0.###}" : "Run";
        var totals = new Table().Title(title).HideHeaders().AddColumn("").AddColumn("");
        foreach (var (label, value) in SummaryRows.Totals(run.Summary, run.ClientOverhead))
            totals.AddRow(Markup.Escape(label), Markup.Escape(value));
        var latency = new Table();
        foreach (var h in SummaryRows.LatencyHeader(run.Summary))
            latency.AddColumn(new TableColumn(h).RightAligned());
        foreach (var row in SummaryRows.Latencies(run.Summary))
            latency.AddRow(row);
        AnsiConsole.Write(totals);
        AnsiConsole.Write(latency);
        if (SummaryRows.PrefixCache(extras?.PrefixCache, extras?.ServerCounters) is { Count: > 0 } rows)
        {
            var cache = new Table().Title("Prefix cache").HideHeaders().AddColumn("").AddColumn("");
            foreach (var (label, value) in rows)
                cache.AddRow(Markup.Escape(label), Markup.Escape(value));
            AnsiConsole.Write(cache);
        }
        Warn(run.ClientOverhead);
    }

    /// <summary>The search's probes: offered and achieved rate side by side, attainment, and why a probe failed.</summary>
    public static void Print(SearchResult search)
    {
        var table = new Table().Title("Goodput search").AddColumn("offered (req/s)").AddColumn("achieved (req/s)").AddColumn("attainment").AddColumn("verdict");
        foreach (var p in search.Probes)
            table.AddRow($"{p.Rate:0.###}", $"{p.Achieved:0.###}", $"{100 * p.Attainment:0.#}%", p.Passed ? "[green]sustained[/]" : $"[red]{Markup.Escape(string.Join("; ", p.Misses ?? []))}[/]");
        AnsiConsole.Write(table);
    }

    public static void Warn(ClientOverhead overhead)
    {
        if (overhead.Warning is { } warning)
            AnsiConsole.MarkupLine($"[yellow]warning: {Markup.Escape(warning)}[/]");
    }
}
