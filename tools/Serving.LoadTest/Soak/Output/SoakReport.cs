using System.Text;
using Serving.LoadTest.Soak.Checks;
using Spectre.Console;

namespace Serving.LoadTest.Soak.Output;

/// <summary>The verdict on the console (a table of checks, then PASSED or FAILED) and as summary.md.</summary>
internal static class SoakReport
{
    public static void Print(SoakResult result)
    {
        var table = new Table().AddColumns("check", "", "detail");
        foreach (var c in result.Checks)
            table.AddRow(Markup.Escape(c.Name), Status(c.Status), Markup.Escape(c.Detail));
        AnsiConsole.Write(table);
        var r = result.Requests;
        AnsiConsole.MarkupLine(Markup.Escape($"{r.Sent} requests in {result.LoadSeconds:0} s ({r.PerSecond:0.##}/s): {r.Completed} completed, {r.CleanErrors} clean errors, "
            + $"{r.Rejected} invalid refused, {r.Disconnected} client disconnects, {r.Violations} violations; {r.Streamed} streamed, {r.MultiChoice} with n > 1, "
            + $"{r.LongPrompts} long prompts; {result.Faults.Count} fault(s) injected; {result.Kv.LeakedBlocks} KV block(s) leaked"));
        AnsiConsole.MarkupLine(result.Passed ? "[green bold]SOAK PASSED[/]" : $"[red bold]SOAK FAILED[/]: {Markup.Escape(string.Join(", ", result.Checks.Where(c => c.Status == CheckStatus.Fail).Select(c => c.Name)))}");
    }

    static string Status(CheckStatus status) => status switch
    {
        CheckStatus.Pass => "[green]pass[/]",
        CheckStatus.Fail => "[red]FAIL[/]",
        _ => "[grey]skipped[/]",
    };

    public static string Markdown(SoakResult result)
    {
        var r = result.Requests;
        var md = new StringBuilder();
        md.AppendLine($"# Soak: {(result.Passed ? "passed" : "FAILED")}");
        md.AppendLine();
        md.AppendLine($"{result.StartedUtc}, {result.LoadSeconds:0} s of load ({result.WarmUpSeconds:0} s warm-up) against {result.Target}, model `{result.Model}`.");
        md.AppendLine();
        md.AppendLine("| check | status | detail |");
        md.AppendLine("|---|---|---|");
        foreach (var c in result.Checks)
            md.AppendLine($"| {c.Name} | {c.Status.ToString().ToLowerInvariant()} | {c.Detail.Replace("|", "\\|")} |");
        md.AppendLine();
        md.AppendLine($"Requests: {r.Sent} sent ({r.PerSecond:0.##}/s): {r.Completed} completed, {r.CleanErrors} clean errors, {r.Rejected} invalid refused, "
            + $"{r.Disconnected} client disconnects, {r.Violations} violations, {r.Aborted} aborted. Of them {r.Streamed} streamed, {r.MultiChoice} with n > 1, "
            + $"{r.LongPrompts} long prompts, {r.Chat} chat, {r.Invalid} invalid, {r.DisconnectsPlanned} meant to be abandoned.");
        md.AppendLine();
        if (result.Faults.Count > 0)
        {
            md.AppendLine("| fault | target | at (s) | recovered after (s) | ok | detail |");
            md.AppendLine("|---|---|---|---|---|---|");
            foreach (var f in result.Faults)
                md.AppendLine($"| {f.Kind} | {f.Target} | {f.StartS:0.0} | {f.EndS - f.StartS:0.0} | {f.Ok} | {f.Detail.Replace("|", "\\|")} |");
            md.AppendLine();
        }
        if (result.Rss.Count > 0)
        {
            md.AppendLine("| process | pid | baseline MB | final MB | peak MB | growth | slope MB/h | note |");
            md.AppendLine("|---|---|---|---|---|---|---|---|");
            foreach (var v in result.Rss)
                md.AppendLine($"| {v.Name} | {v.Pid} | {v.BaselineMb:0} | {v.FinalMb:0} | {v.PeakMb:0} | {(v.Judged ? $"{v.GrowthPercent:+0.0;-0.0}%" : "—")} | {(v.Judged ? $"{v.SlopeMbPerHour:+0;-0}" : "—")} | {v.Note} |");
            md.AppendLine();
        }
        return md.ToString();
    }
}
