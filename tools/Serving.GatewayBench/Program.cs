using System.Diagnostics;
using Serving.GatewayBench;
using Serving.GatewayBench.Reporting;
using Serving.Tools.Shared;

return await ToolCommandLine.InvokeAsync(GatewayBenchCommand.Create(RunAsync), args);

// What the gateway path (Kestrel, SSE, Orleans, router, worker grain, engine loop) adds per streamed token, with
// the model replaced by a fixed-interval fake engine; the server runs in a child process.
static async Task<int> RunAsync(GatewayBenchOptions options)
{
    var wall = Stopwatch.StartNew();
    var machine = MachineInfo.Read();
    // The server's log goes beside the results.
    var outPath = ResultWriter.Prepare(options.Out);
    var run = new GatewayBenchRun(options);
    await run.RunAsync(Path.ChangeExtension(outPath, ".server.log"));

    var summary = Summary.Of(run.Samples);
    var results = new GatewayBenchResults(machine, ProcInfo.LoadAverage(), Math.Round(wall.Elapsed.TotalSeconds, 1), run.Settings, summary, run.Samples);

    Console.WriteLine($"## Gateway path — {machine.CpuModel}, {machine.LogicalCpus} CPUs, median of {options.Reps}");
    Console.WriteLine();
    Console.Write(Report.Markdown(summary, options.IntervalMs));
    Console.WriteLine();
    Console.WriteLine($"Load average {machine.LoadAverage} → {results.LoadAverageEnd}. Wall {results.WallSeconds} s.");
    ResultWriter.Write(outPath, results);
    return 0;
}
