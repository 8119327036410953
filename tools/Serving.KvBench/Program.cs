using System.Diagnostics;
using Serving.KvBench;
using Serving.KvBench.Reporting;
using Serving.Tools.Shared;

return await ToolCommandLine.InvokeAsync(KvBenchCommand.Create(RunAsync), args);

// KV transfer between two processes over loopback: gRPC path vs raw TCP, and the prefill → decode handoff.
static async Task<int> RunAsync(KvBenchOptions options)
{
    var wall = Stopwatch.StartNew();
    var machine = MachineInfo.Read();
    var run = new KvBenchRun(options);
    await run.RunAsync();

    var summary = Summary.Of(run.Throughput, run.Handoff);
    var results = new KvBenchResults(machine, ProcInfo.LoadAverage(), Math.Round(wall.Elapsed.TotalSeconds, 1),
        run.Settings, summary, run.Throughput, run.Ceiling, run.Handoff, run.Checks);

    Console.WriteLine($"## KV transfer — {machine.CpuModel}, {machine.LogicalCpus} CPUs, median of {options.Reps}");
    Console.WriteLine();
    Console.Write(Report.Markdown(summary, run.Ceiling));
    Console.WriteLine();
    Console.WriteLine($"{string.Join("; ", run.Checks)}. Load average {machine.LoadAverage} → {results.LoadAverageEnd}. Wall {results.WallSeconds} s.");
    ResultWriter.Write(options.Out, results);
    return 0;
}
