using System.Diagnostics;
using Serving.LoadTest.Runner;
using Serving.Planning.LoadTests;
using Spectre.Console;

namespace Serving.LoadTest.Output;

/// <summary>A live progress bar: requests done, in flight, errors, and output tokens/s over the last few seconds.</summary>
internal sealed class ProgressDisplay : IRunObserver
{
    static readonly long Window = 5 * Stopwatch.Frequency;
    readonly Queue<(long At, int Tokens)> recent = new();
    readonly Lock gate = new();
    int sent;
    int done;
    int errors;

    public void OnSent(int index) => Interlocked.Increment(ref sent);

    public void OnCompleted(RequestResult result)
    {
        Interlocked.Increment(ref done);
        if (!result.Success)
            Interlocked.Increment(ref errors);
        lock (gate)
            recent.Enqueue((Stopwatch.GetTimestamp(), result.OutputTokens));
    }

    double TokensPerSecond()
    {
        var now = Stopwatch.GetTimestamp();
        lock (gate)
        {
            while (recent.Count > 0 && now - recent.Peek().At > Window)
                recent.Dequeue();
            return recent.Sum(r => r.Tokens) / 5.0;
        }
    }

    string Describe(string label, int total) =>
        $"{Markup.Escape(label)}: {Volatile.Read(ref done)}/{total} done, in flight {Volatile.Read(ref sent) - Volatile.Read(ref done)}, errors {(Volatile.Read(ref errors) is var e and > 0 ? $"[red]{e}[/]" : "0")}, {TokensPerSecond():0} tok/s";

    /// <summary>Runs <paramref name="run"/> under a live bar (or silently when <paramref name="enabled"/> is false).</summary>
    public static async Task<RunOutcome> ShowAsync(string label, int total, bool enabled, Func<IRunObserver, Task<RunOutcome>> run)
    {
        var display = new ProgressDisplay();
        if (!enabled)
            return await run(display);
        RunOutcome? outcome = null;
        await AnsiConsole.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
            .StartAsync(async ctx =>
            {
                var task = ctx.AddTask(display.Describe(label, total), maxValue: total);
                var running = run(display);
                while (!running.IsCompleted)
                {
                    task.Value = Volatile.Read(ref display.done);
                    task.Description = display.Describe(label, total);
                    await Task.WhenAny(running, Task.Delay(250));
                }
                outcome = await running;
                task.Value = total;
                task.Description = display.Describe(label, total);
            });
        return outcome!;
    }
}
