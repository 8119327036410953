using System.Diagnostics;
using CsCheck;
using Serving.ChatTemplates.Tests.Support;

namespace Serving.ChatTemplates.Tests;

/// <summary>
/// Random templates and random inputs never hang or crash the interpreter: each parses and renders, or throws
/// <see cref="ChatTemplateException"/>, in bounded time. A failure prints CsCheck's seed; pass it as <c>seed:</c> (or set
/// the CsCheck_Seed environment variable) to replay that case.
/// </summary>
public sealed class FuzzTests
{
    // Tight limits keep each case to milliseconds, and put the limits themselves under test.
    private static readonly ChatTemplateLimits Limits = new() { MaxSteps = 100_000, MaxOutputLength = 100_000 };

    // Generous for one render on a loaded machine; a render this slow is a bug, not noise.
    private static readonly TimeSpan MaxRenderTime = TimeSpan.FromSeconds(5);

    private static readonly string[] RealTemplates = Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "TestData"), "*.jinja");

    [Fact]
    public void Render_RandomTemplateAndInput_RendersOrThrowsChatTemplateException()
    {
        var outcomes = new Outcomes();

        WithinTime(() => Gen.Select(TemplateGen.Template, TemplateGen.Variables).Sample(
            (template, variables) => outcomes.Add(Run(template, variables)),
            iter: 2000,
            print: sample => sample.Item1));

        // The grammar must reach all three outcomes, or it tests little (about 9% render, 1% meet a limit).
        Assert.True(outcomes.Rendered > 80, outcomes.ToString());
        Assert.True(outcomes.Failed > 700, outcomes.ToString());
        Assert.True(outcomes.Limited > 0, outcomes.ToString());
    }

    [Fact]
    public void Render_RealTemplateWithRandomMessages_RendersOrThrowsChatTemplateException()
    {
        var outcomes = new Outcomes();

        WithinTime(() => Gen.Select(Gen.OneOf(RealTemplates), TemplateGen.Variables).Sample(
            (file, variables) => outcomes.Add(Run(File.ReadAllText(file), variables)),
            iter: 1000,
            print: sample => Path.GetFileName(sample.Item1)));

        Assert.True(outcomes.Rendered > 100, outcomes.ToString());
    }

    [Fact]
    public void Render_RandomTemplateOnASmallStack_NeverOverflowsIt()
    {
        // Deep grammar output and nesting near the limit on a 256 KiB thread: the stack check must catch what the count allows.
        var deep = new ChatTemplateLimits { MaxSteps = 100_000, MaxOutputLength = 100_000, MaxNestingDepth = 100_000, MaxRecursionDepth = 100_000 };
        Exception? failure = null;
        var thread = new Thread(
            () =>
            {
                try
                {
                    Gen.Select(TemplateGen.Template, TemplateGen.Variables).Sample((template, variables) => Run(template, variables, deep), iter: 300, threads: 1);
                }
                catch (Exception e)
                {
                    failure = e;
                }
            },
            maxStackSize: 256 * 1024);

        thread.Start();
        Assert.True(thread.Join(TimeSpan.FromMinutes(2)), "the sample did not finish");
        Assert.Null(failure);
    }

    private static Outcome Run(string template, Dictionary<string, object?> variables, ChatTemplateLimits? limits = null)
    {
        var clock = Stopwatch.StartNew();
        try
        {
            var output = ChatTemplate.Parse(template, FixedClock.Default, limits ?? Limits).Render(variables);
            Assert.True(output.Length <= (limits ?? Limits).MaxOutputLength);
            return Outcome.Rendered;
        }
        catch (ChatTemplateLimitException)
        {
            return Outcome.Limited;
        }
        catch (ChatTemplateException)
        {
            return Outcome.Failed;
        }
        finally
        {
            Assert.True(clock.Elapsed < MaxRenderTime, $"rendering took {clock.Elapsed}");
        }
    }

    // A hang fails the test instead of stalling the run.
    private static void WithinTime(Action sample)
    {
        var run = Task.Run(sample);
        Assert.True(run.Wait(TimeSpan.FromMinutes(2)), "the sample did not finish in 2 minutes");
    }

    private enum Outcome
    {
        Rendered,
        Failed,
        Limited,
    }

    // Counted from CsCheck's sampling threads.
    private sealed class Outcomes
    {
        private int rendered;
        private int failed;
        private int limited;

        public int Rendered => rendered;

        public int Failed => failed;

        public int Limited => limited;

        public void Add(Outcome outcome)
        {
            switch (outcome)
            {
                case Outcome.Rendered:
                    Interlocked.Increment(ref rendered);
                    break;
                case Outcome.Failed:
                    Interlocked.Increment(ref failed);
                    break;
                default:
                    Interlocked.Increment(ref limited);
                    break;
            }
        }

        public override string ToString() => $"rendered {rendered}, template errors {failed}, limit errors {limited}";
    }
}
