using Serving.LoadTest.Runner;
using Spectre.Console;

namespace Serving.LoadTest.Output;

/// <summary>Prints a run's summary as tables, and the client's warning in yellow.</summary>
internal static class ConsoleReport
{
    public static void Print(RunRecord run)
    {
        var title = run.Rate is { } rate ? $"Rate {rate:0.###} req/s" : "Run";
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
        Warn(run.ClientOverhead);
    }

    public static void Warn(ClientOverhead overhead)
    {
        if (overhead.Warning is { } warning)
            AnsiConsole.MarkupLine($"[yellow]warning: {Markup.Escape(warning)}[/]");
    }
}
