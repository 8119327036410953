using System.CommandLine;
using System.Diagnostics;
using Serving.Engine.Core;
using Serving.Model.Sampling;

namespace Serving.Host;

/// <summary>Generates text from a prompt with one engine, streaming it to the console.</summary>
internal static class GenerateCommand
{
    public static Command Create()
    {
        var command = new Command("generate", "Generate text from a prompt with one engine in this process (no cluster).");
        var prompt = new Argument<string>("prompt") { Description = "Text to continue.", DefaultValueFactory = _ => "Once upon a time" };
        var model = new Option<string?>("--model") { Description = "Hugging Face checkpoint folder (default: the project's tiny model, created on first use)." };
        var maxTokens = new Option<int>("--max-tokens") { Description = "Tokens to generate.", DefaultValueFactory = _ => 64 };
        var temperature = new Option<double>("--temperature") { Description = "0 is greedy.", DefaultValueFactory = _ => 0.8 };
        var topP = new Option<double>("--top-p") { DefaultValueFactory = _ => 0.95 };
        var seed = new Option<long?>("--seed") { Description = "Same seed, same text." };
        var dtype = new Option<string>("--dtype") { Description = "auto, float32, bfloat16 or float16.", DefaultValueFactory = _ => "auto" };
        var device = new Option<string>("--device") { Description = "auto, cpu, cuda or cuda:N.", DefaultValueFactory = _ => "auto" };
        var threads = new Option<int?>("--threads") { Description = "libtorch intra-op threads (default: all cores)." };

        foreach (var o in new Option[] { model, maxTokens, temperature, topP, seed, dtype, device, threads })
            command.Options.Add(o);
        command.Arguments.Add(prompt);
        command.SetAction(parse =>
        {
            var options = new EngineOptions
            {
                ModelPath = parse.GetValue(model),
                DType = parse.GetValue(dtype)!,
                Device = parse.GetValue(device)!,
                NumThreads = parse.GetValue(threads),
            };
            var sampling = new SamplingParams
            {
                MaxTokens = parse.GetValue(maxTokens),
                Temperature = parse.GetValue(temperature),
                TopP = parse.GetValue(topP),
                Seed = parse.GetValue(seed),
            };
            return Run(options, parse.GetValue(prompt)!, sampling);
        });
        return command;
    }

    static int Run(EngineOptions options, string prompt, SamplingParams sampling)
    {
        try
        {
            var load = Stopwatch.StartNew();
            using var engine = LlmEngine.Create(options);
            Console.Error.WriteLine($"model: {options.ModelPath ?? "default tiny Llama"} ({engine.Config.NumLayers} layers, hidden {engine.Config.HiddenSize}) " +
                                    $"on {engine.Device.type.ToString().ToLowerInvariant()} in {engine.DType}, loaded in {load.ElapsedMilliseconds} ms");
            var tokens = engine.Encode(prompt);
            engine.AddRequest("cli", tokens, sampling);
            Console.Write(prompt);
            var clock = Stopwatch.StartNew();
            double firstTokenMs = 0;
            var generated = 0;
            RequestOutput? last = null;
            while (engine.HasUnfinishedRequests)
            {
                foreach (var output in engine.Step())
                {
                    if (generated == 0)
                        firstTokenMs = clock.Elapsed.TotalMilliseconds;
                    generated += output.NewTokenIds.Count;
                    Console.Write(output.NewText);
                    last = output;
                }
            }
            var total = clock.Elapsed.TotalMilliseconds;
            Console.WriteLine();
            Console.Error.WriteLine($"{tokens.Count} prompt tokens, {generated} generated (finish: {last?.FinishReason?.ToString().ToLowerInvariant()}); " +
                                    $"first token {firstTokenMs:F0} ms, then {(generated > 1 ? (total - firstTokenMs) / (generated - 1) : 0):F1} ms/token");
            return 0;
        }
        catch (Exception e) when (e is ArgumentException or IOException or InvalidDataException or NotSupportedException or Serving.Engine.Checkpoint.CheckpointException)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return 1;
        }
    }
}
