using System.CommandLine;
using Serving.KvBench.Receiver;
using Serving.Tools.Shared;

namespace Serving.KvBench;

/// <summary>The command line: repetitions, sizes, chunks, threads, which parts run and where the results go; and the receiver child's own.</summary>
internal static class KvBenchCommand
{
    const int MaxChunkKib = 16 << 10;

    public static RootCommand Create(Func<KvBenchOptions, Task<int>> run)
    {
        var defaults = new KvBenchOptions();
        var reps = new Option<int>("--reps") { Description = "Interleaved repetitions, medians reported.", DefaultValueFactory = _ => defaults.Reps }
            .Check(n => n > 0, "takes a positive integer");
        var warmup = new Option<int>("--warmup") { Description = "Unrecorded repetitions first.", DefaultValueFactory = _ => defaults.Warmup }
            .Check(n => n > 0, "takes a positive integer");
        var mb = new Option<int>("--mb") { Description = "MiB of KV per throughput repetition.", DefaultValueFactory = _ => defaults.Mb }
            .Check(n => n > 0, "takes a positive integer");
        var chunks = new Option<int[]>("--chunks")
        {
            Description = $"gRPC chunk sizes in KiB, comma-separated (default {string.Join(',', defaults.ChunkBytes.Select(bytes => bytes >> 10))}).",
            HelpName = "KiB,KiB,...",
            CustomParser = result => ToolCommandLine.IntList(result, kib => kib is > 0 and <= MaxChunkKib, $"takes chunk sizes from 1 to {MaxChunkKib} KiB, comma-separated"),
        };
        var threads = new Option<int>("--threads") { Description = "libtorch threads in each of the two processes.", DefaultValueFactory = _ => defaults.Threads }
            .Check(n => n > 0, "takes a positive integer");
        var only = new Option<string[]>("--only")
        {
            Description = $"The measurements to run, a subset of {string.Join(',', KvBenchOptions.AllParts)} (push4: four concurrent streams; tls: the push over mutual TLS beside plaintext; default all).",
            HelpName = "PART,...",
            CustomParser = result => ToolCommandLine.NameList(result, KvBenchOptions.AllParts),
        };
        var output = new Option<string>("--out") { Description = "JSON results file.", HelpName = "FILE.json", DefaultValueFactory = _ => defaults.Out }
            .Check(path => !string.IsNullOrWhiteSpace(path), "takes a file name");

        var root = new RootCommand("KV transfer between two processes over loopback: the gRPC path against raw TCP, and the prefill → decode handoff.");
        foreach (var option in new Option[] { reps, warmup, mb, chunks, threads, only, output })
            root.Options.Add(option);
        root.Subcommands.Add(Receiver());
        root.SetAction((parse, _) => run(defaults with
        {
            Reps = parse.GetValue(reps),
            Warmup = parse.GetValue(warmup),
            Mb = parse.GetValue(mb),
            // A list left out reads as empty (one given is never): the defaults.
            ChunkBytes = parse.GetValue(chunks) is { Length: > 0 } kib ? [.. kib.Select(k => k << 10)] : defaults.ChunkBytes,
            Threads = parse.GetValue(threads),
            Only = parse.GetValue(only) is { Length: > 0 } parts ? parts : defaults.Only,
            Out = parse.GetValue(output)!,
        }));
        return root;
    }

    /// <summary>The child the parent starts (<see cref="Sender.ReceiverProcess"/>): a decode worker and a raw TCP sink.</summary>
    static Command Receiver()
    {
        var poolMb = new Option<int>("--pool-mb") { Description = "Decode KV pool, MiB.", Required = true };
        var maxChunk = new Option<int>("--max-chunk") { Description = "Largest gRPC chunk the parent sends, bytes.", Required = true };
        var threads = new Option<int>("--threads") { Description = "libtorch threads.", Required = true };
        var tlsDir = new Option<string?>("--tls-dir") { Description = "Also serve KV over mutual TLS with these certificates, on a second port." };
        var command = new Command("receiver", "The decode side, started by the benchmark itself.") { Hidden = true };
        foreach (var option in new Option[] { poolMb, maxChunk, threads, tlsDir })
            command.Options.Add(option);
        command.SetAction((parse, _) => ReceiverHost.RunAsync(parse.GetValue(poolMb), parse.GetValue(maxChunk), parse.GetValue(threads), parse.GetValue(tlsDir)));
        return command;
    }
}
