using System.Diagnostics;
using LLama.Native;
using Serving.Engine.Checkpoint.Gguf;
using Serving.Engine.DefaultModel;
using Serving.Tools.Shared;

namespace Serving.Bench;

/// <summary>Our engine (float32, bfloat16) against llama.cpp (f32) on the default model, in one process, side by side.</summary>
internal static class LlamaCppBench
{
    public static int Run(BenchOptions options)
    {
        // llama.cpp logs every tensor it loads; keep only its errors.
        NativeLibraryConfig.All.WithLogCallback((level, message) =>
        {
            if (level == LLamaLogLevel.Error)
                Console.Error.Write(message);
        });

        var wall = Stopwatch.StartNew();
        var loadStart = ProcInfo.LoadAverage();
        var modelFolder = DefaultModelStore.EnsureDefault();
        var gguf = Path.Combine(Path.GetTempPath(), $"serving-bench-{Environment.ProcessId}.gguf");
        var maxPrefill = options.PrefillLengths.Max();
        var maxBatch = options.DecodeBatches.Max();
        // Room per sequence for its prompt plus every warm-up and timed step of every batch size, rounded up to blocks.
        var contextPerSeq = (options.DecodeContext + options.DecodeBatches.Length * (2 + options.Reps * options.StepsPerRep) + 255) / 256 * 256;
        var numBlocks = (maxPrefill + maxBatch * contextPerSeq) / 16 + 64;

        try
        {
            Console.Error.WriteLine($"writing {gguf}");
            GgufWriter.Write(modelFolder, gguf);
            using var f32 = new EngineSide(modelFolder, "float32", options.Threads, numBlocks);
            using var bf16 = new EngineSide(modelFolder, "bfloat16", options.Threads, numBlocks);
            using var llamaFa = new LlamaCppSide(gguf, options.Threads, maxPrefill, maxBatch, contextPerSeq, flashAttention: true);
            using var llamaNoFa = new LlamaCppSide(gguf, options.Threads, maxPrefill, maxBatch, contextPerSeq, flashAttention: false);

            var text = f32.Encode(BenchText.Value);
            var suite = new Suite(options, [f32, bf16, llamaFa, llamaNoFa], text);
            suite.Run();

            var ratios = Report.Ratios(suite.Measurements);
            var markdown = Report.Markdown(suite.Measurements, ratios);
            var results = new BenchResults(
                MachineInfo.Read(), options.Threads, options.Reps, options.StepsPerRep, loadStart, ProcInfo.LoadAverage(),
                Math.Round(wall.Elapsed.TotalSeconds, 1), $"default tiny Llama ({DefaultModelStore.FolderName}), F32 weights",
                new()
                {
                    ["ours"] = "runner + paged KV cache (block 16), no prefix caching, logits for last token (prefill) / every sequence (decode)",
                    ["llama_cpp"] = $"LLamaSharp 0.30.0 CPU backend, F32 GGUF, f32 KV cache, flash attention on and off (default auto = on); ratios use the better of the two per metric, " +
                        $"prefill context n_ctx=n_batch=n_ubatch={maxPrefill}, decode context n_seq_max={maxBatch}, " +
                        $"n_ctx={maxBatch * contextPerSeq} ({contextPerSeq} per sequence, non-unified KV)",
                    ["decode"] = $"batch 1 on sequence 0, batch 8 on sequences 1..8, batch {maxBatch} on all; {options.StepsPerRep} steps per rep",
                },
                suite.DecodeContexts.ToDictionary(kv => $"b{kv.Key}", kv => new[] { kv.Value.Start, kv.Value.End }),
                suite.Measurements, ratios);

            Console.WriteLine($"## Engine vs llama.cpp — {results.Machine.CpuModel}, {options.Threads} threads, median of {options.Reps}");
            Console.WriteLine();
            Console.Write(markdown);
            Console.WriteLine();
            Console.WriteLine($"Decode context per sequence (mean, first → last timed step): " +
                string.Join(", ", suite.DecodeContexts.Select(kv => $"b{kv.Key} {kv.Value.Start:0}→{kv.Value.End:0}")) +
                $". Load average {loadStart} → {results.LoadAverageEnd}. Wall {results.WallSeconds} s.");
            ResultWriter.Write(options.Out, results);
            return 0;
        }
        finally
        {
            File.Delete(gguf);
        }
    }
}
