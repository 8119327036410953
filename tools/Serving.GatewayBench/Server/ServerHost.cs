using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Serving.GatewayBench.Fake;
using Serving.Host;

namespace Serving.GatewayBench.Server;

/// <summary>
/// The child process: the `serving` executable's own wiring (<see cref="ServingHost"/>) with roles gateway + one
/// mixed worker whose engine is the fake, on free loopback ports. Logs go to stderr; stdout carries a line protocol
/// through which the parent collects the fake's step timings.
/// </summary>
internal static class ServerHost
{
    public static async Task<int> RunAsync(double intervalMs, int maxConcurrent)
    {
        var interval = TimeSpan.FromMilliseconds(intervalMs);
        var recorder = new StepRecorder();
        var settings = new HostSettings
        {
            Roles = new HashSet<string> { "gateway", "mixed" },
            MixedWorkers = 1,
            HttpPort = FreePort(),
            KvPort = FreePort(),
            SiloPort = FreePort(),
            OrleansClientPort = FreePort(),
            MaxConcurrentRequests = maxConcurrent,
            // Every stream of a level arrives at once: the preparation queue (issue 17's admission bound, 64 by
            // default) would refuse part of the burst with 429, and the bench measures delivery, not admission.
            PrepareQueue = maxConcurrent,
        };
        if (settings.Problems() is { Count: > 0 } problems)
        {
            Console.Out.WriteLine($"error {string.Join(" ", problems)}");
            return 2;
        }
        // Logs (the executable's defaults) to stderr, so stdout stays the protocol.
        await using var app = ServingHost.Build(settings, ["--Logging:Console:LogToStandardErrorThreshold=Trace"], options => ClockEngine.Create(interval, options, recorder));
        await app.StartAsync();
        Console.Out.WriteLine($"ready {settings.HttpPort}");

        while (await Console.In.ReadLineAsync() is { } line && line != "quit")
        {
            if (line == "steps")
                Console.Out.WriteLine("steps " + StepsLine(recorder.Drain()));
            else if (line == "jit")
                Console.Out.WriteLine(FormattableString.Invariant($"jit {System.Runtime.JitInfo.GetCompiledMethodCount()} {System.Runtime.JitInfo.GetCompilationTime().TotalMilliseconds:0.0}"));
            else
                Console.Out.WriteLine($"error unknown command '{line}'");
        }
        await app.StopAsync();
        return 0;
    }

    /// <summary>The steps as one line: count, then lateness, loop time between steps and batch size per step, space-separated groups.</summary>
    static string StepsLine(List<StepSample> steps) => string.Join(" ",
        steps.Count.ToString(CultureInfo.InvariantCulture),
        string.Join(",", steps.Select(s => s.LateMs.ToString("0.###", CultureInfo.InvariantCulture))),
        string.Join(",", steps.Select(s => double.IsNaN(s.BetweenMs) ? "nan" : s.BetweenMs.ToString("0.###", CultureInfo.InvariantCulture))),
        string.Join(",", steps.Select(s => s.Batch.ToString(CultureInfo.InvariantCulture))));

    static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
