using System.Globalization;
using Spectre.Console;

namespace Serving.LoadTest.Soak.Output;

/// <summary>
/// Shows the soak while it runs: a live bar on a terminal, or a plain line every 15 s when the output goes to a file
/// (a soak left running under nohup), so its log tells how far it got.
/// </summary>
internal static class SoakProgress
{
    static readonly TimeSpan PlainEvery = TimeSpan.FromSeconds(15);

    /// <param name="elapsedS">Seconds of load so far.</param>
    public static async Task ShowAsync(Task load, TimeSpan duration, Func<double> elapsedS, Func<string> describe, bool enabled)
    {
        if (!enabled)
        {
            await load;
            return;
        }
        if (Console.IsOutputRedirected)
        {
            while (await Task.WhenAny(load, Task.Delay(PlainEvery)) != load)
                Console.WriteLine($"[{Elapsed(elapsedS)}/{Format(duration)}] {describe()}");
            await load;
            Console.WriteLine($"[{Elapsed(elapsedS)}] load done: {describe()}");
            return;
        }
        await AnsiConsole.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new ElapsedTimeColumn())
            .StartAsync(async ctx =>
            {
                var task = ctx.AddTask(Markup.Escape(describe()), maxValue: duration.TotalSeconds);
                while (!load.IsCompleted)
                {
                    task.Value = Math.Min(elapsedS(), duration.TotalSeconds);
                    task.Description = Markup.Escape(describe());
                    await Task.WhenAny(load, Task.Delay(500));
                }
                task.Value = duration.TotalSeconds;
                task.Description = Markup.Escape(describe());
                await load;
            });
    }

    static string Elapsed(Func<double> elapsedS) => Format(TimeSpan.FromSeconds(elapsedS()));

    static string Format(TimeSpan t) => t.ToString(t.TotalHours >= 1 ? @"h\:mm\:ss" : @"mm\:ss", CultureInfo.InvariantCulture);
}
