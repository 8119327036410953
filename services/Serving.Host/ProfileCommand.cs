using System.CommandLine;
using System.Globalization;
using System.Text;
using Serving.Engine.Core;
using Serving.Host.Profiling;
using Serving.Planning.Model;

namespace Serving.Host;

/// <summary>Measures one engine on its device, fits the planner's latency model and saves it as a profile.</summary>
internal static class ProfileCommand
{
    public static Command Create()
    {
        var command = new Command("profile", "Measure one engine (prefill, decode, layered prefill), fit the latency model and save the profile JSON.");
        var model = new Option<string?>("--model") { Description = "Hugging Face checkpoint folder (default: the project's tiny model)." };
        var dtype = new Option<string>("--dtype") { Description = "auto, float32, bfloat16 or float16.", DefaultValueFactory = _ => "auto" };
        var device = new Option<string>("--device") { Description = "auto, cpu, cuda or cuda:N.", DefaultValueFactory = _ => "auto" };
        var threads = new Option<int?>("--threads") { Description = "libtorch intra-op threads (default: all cores)." };
        var quick = new Option<bool>("--quick") { Description = "Fewer, smaller points and 3 repeats (tests, CI); a looser fit." };
        var repeats = new Option<int?>("--repeats") { Description = "Timings per point, median kept (default 5, --quick 3)." };
        var bandwidth = new Option<double?>("--kv-bandwidth-mbps")
        {
            Description = "KV transfer bandwidth in MB/s to record instead of measuring it (e.g. a link between machines).",
        };
        var latency = new Option<double?>("--kv-latency-ms") { Description = "Fixed cost of one KV transfer to record instead of measuring it." };
        var output = new Option<string?>("--out") { Description = "Profile file (default ~/.cache/serving/profiles/<model>-<device>-<dtype>.json)." };

        foreach (var o in new Option[] { model, dtype, device, threads, quick, repeats, bandwidth, latency, output })
            command.Options.Add(o);
        command.SetAction((parse, cancellation) =>
        {
            var options = new EngineOptions
            {
                ModelPath = parse.GetValue(model),
                DType = parse.GetValue(dtype)!,
                Device = parse.GetValue(device)!,
                NumThreads = parse.GetValue(threads),
                EnablePrefixCaching = false,
            };
            var isQuick = parse.GetValue(quick);
            var settings = new ProfilerSettings(
                isQuick,
                parse.GetValue(repeats) ?? (isQuick ? 3 : 5),
                parse.GetValue(bandwidth) is { } mbps ? mbps * 1e6 : null,
                parse.GetValue(latency) is { } ms ? ms / 1000 : null);
            return RunAsync(options, settings, parse.GetValue(output), Console.Out, cancellation);
        });
        return command;
    }

    /// <summary>Profiles the engine <paramref name="options"/> describe, prints the fit and saves the profile; returns the exit code.</summary>
    public static async Task<int> RunAsync(EngineOptions options, ProfilerSettings settings, string? outPath, TextWriter console, CancellationToken cancellationToken)
    {
        try
        {
            using var engine = LlmEngine.Create(options);
            var modelName = ProfilePaths.ModelName(options.ModelPath);
            var deviceName = ProfilePaths.DeviceName(engine.Target, TorchSharp.torch.get_num_threads());
            var dtypeName = engine.Target.DType;
            await console.WriteLineAsync($"profiling {modelName} ({engine.Config.NumLayers} layers) on {deviceName} in {dtypeName}, " +
                                         $"{(settings.Quick ? "quick" : "full")} grid, median of {settings.Repeats}");
            var result = new EngineProfiler(engine, settings, line => console.WriteLine("  " + line)).Run(modelName, deviceName);
            if (settings.KvBandwidthBytesPerSecond is null || settings.KvLatencySeconds is null)
            {
                var (bandwidth, latency) = await new KvTransferProbe(engine, options, line => console.WriteLine("  " + line))
                    .MeasureAsync(settings.KvProbeTokens, settings.Repeats, cancellationToken);
                result = result with
                {
                    Profile = result.Profile with
                    {
                        Transfer = result.Profile.Transfer with
                        {
                            BandwidthBytesPerSecond = settings.KvBandwidthBytesPerSecond ?? bandwidth,
                            LatencySeconds = settings.KvLatencySeconds ?? latency,
                        },
                    },
                    KvMeasured = true,
                };
            }
            await console.WriteAsync(Describe(result));
            var path = outPath ?? ProfilePaths.DefaultPath(modelName, deviceName, dtypeName);
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
            await ProfileJson.SaveAsync(result.Profile, path, cancellationToken);
            await console.WriteLineAsync($"saved {path}");
            return 0;
        }
        catch (Exception e) when (e is ArgumentException or IOException or InvalidDataException or NotSupportedException or InvalidOperationException or Serving.Engine.Checkpoint.CheckpointException)
        {
            await Console.Error.WriteLineAsync($"error: {e.Message}");
            return 1;
        }
    }

    /// <summary>The fitted coefficients, in ms and µs, with the training and held-out errors.</summary>
    public static string Describe(ProfileResult result)
    {
        var c = CultureInfo.InvariantCulture;
        var p = result.Profile;
        var text = new StringBuilder();
        text.AppendLine(c, $"prefill (s) = {p.Prefill.Fixed:E3} + {p.Prefill.PerToken:E3}·Σlen + {p.Prefill.PerSquaredToken:E3}·Σlen² + {p.Prefill.PerPrompt:E3}·prompts");
        text.AppendLine(c, $"  fit error (MAPE): training {result.PrefillFit.TrainingError:P1} on {result.PrefillFit.TrainingPoints} points, " +
                           $"held-out {result.PrefillFit.HeldOutError:P1} on {result.PrefillFit.HeldOutPoints}");
        text.AppendLine(c, $"decode step (s) = {p.Decode.Fixed:E3} + {p.Decode.PerRequest:E3}·batch + {p.Decode.PerContextToken:E3}·Σcontext");
        text.AppendLine(c, $"  fit error (MAPE): training {result.DecodeFit.TrainingError:P1} on {result.DecodeFit.TrainingPoints} points, " +
                           $"held-out {result.DecodeFit.HeldOutError:P1} on {result.DecodeFit.HeldOutPoints}");
        text.AppendLine(c, $"layered prefill: {p.LayerGroupOverheadSeconds * 1000:F3} ms overhead per group step (median of t_G − t_1/G)");
        text.AppendLine(c, $"KV transfer: {p.Transfer.BytesPerToken:F0} B/token at {p.Transfer.BandwidthBytesPerSecond / 1e6:F0} MB/s + {p.Transfer.LatencySeconds * 1000:F2} ms per transfer ({(result.KvMeasured ? "measured over loopback gRPC into a second engine" : "given")})");
        return text.ToString();
    }
}
