using System.CommandLine;
using Serving.Tools.Shared;

namespace Serving.Bench;

/// <summary>The command line: which suite, how many threads and repetitions, and where the results go.</summary>
internal static class BenchCommand
{
    public static RootCommand Create(Func<BenchOptions, int> run)
    {
        var defaults = new BenchOptions();
        var suite = new Option<string>("--suite")
        {
            Description = $"{BenchOptions.LlamaCppSuite}: our engine against llama.cpp; {BenchOptions.DecodeGroupsSuite}: decode attention over mixed context " +
                $"lengths, rows grouped by length vs padded to the longest; {BenchOptions.SamplingSuite}: engine steps greedy vs sampled on the host, with allocations and collections; " +
                $"{BenchOptions.StepProfileSuite}: a decode step taken apart phase by phase (batch tensors, embedding, layers, LM head, sampling).",
            DefaultValueFactory = _ => defaults.Suite,
        };
        suite.AcceptOnlyFromAmong(BenchOptions.LlamaCppSuite, BenchOptions.DecodeGroupsSuite, BenchOptions.SamplingSuite, BenchOptions.StepProfileSuite);
        var threads = new Option<int>("--threads") { Description = "Intra-op threads for both engines.", DefaultValueFactory = _ => defaults.Threads }
            .Check(n => n > 0, "takes a positive integer");
        var reps = new Option<int>("--reps") { Description = "Repetitions per measurement, medians reported.", DefaultValueFactory = _ => defaults.Reps }
            .Check(n => n > 0, "takes a positive integer");
        var dtype = new Option<string>("--dtype") { Description = "The engine's dtype for the step-profile suite.", DefaultValueFactory = _ => defaults.DType };
        dtype.AcceptOnlyFromAmong("float32", "bfloat16", "float16");
        var output = new Option<string>("--out")
        {
            Description = $"JSON results file (default {BenchOptions.DefaultOut(BenchOptions.LlamaCppSuite)}, or {BenchOptions.DefaultOut(BenchOptions.DecodeGroupsSuite)} for that suite).",
            HelpName = "FILE.json",
        }.Check(path => !string.IsNullOrWhiteSpace(path), "takes a file name");

        var root = new RootCommand("Our engine (float32, bfloat16) against llama.cpp (f32) on the default model, side by side in one process; or decode attention grouped by context length.");
        foreach (var option in new Option[] { suite, threads, reps, dtype, output })
            root.Options.Add(option);
        root.SetAction(parse =>
        {
            var chosen = parse.GetValue(suite)!;
            return run(defaults with
            {
                Suite = chosen,
                Threads = parse.GetValue(threads),
                Reps = parse.GetValue(reps),
                DType = parse.GetValue(dtype)!,
                Out = parse.GetValue(output) ?? BenchOptions.DefaultOut(chosen),
            });
        });
        return root;
    }
}
