using System.Diagnostics;
using Serving.LoadTest.Soak.Checks;

namespace Serving.LoadTest.Soak.Target;

/// <summary>One `serving` process the soak started: its output goes to the <see cref="LogBook"/>; ready once it prints its start-up line.</summary>
internal sealed class ServerProcess : IDisposable
{
    readonly Process process;
    readonly TaskCompletionSource ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    readonly LogBook log;

    ServerProcess(string name, string roles, Process process, LogBook log, double startedS, int httpPort)
    {
        Name = name;
        Roles = roles;
        this.process = process;
        this.log = log;
        StartedS = startedS;
        HttpPort = httpPort;
    }

    public string Name { get; }
    public string Roles { get; }
    public int Pid => process.Id;
    public double StartedS { get; }
    public int HttpPort { get; }
    public bool HasExited => process.HasExited;
    /// <summary>Whether the soak killed it (its errors and its absence are the fault's).</summary>
    public bool Killed { get; private set; }

    public WatchedProcess Watched => new(Name, Pid, StartedS);

    /// <param name="args">The options after serving.dll (roles, ports, cluster).</param>
    public static ServerProcess Start(string name, string roles, string servingDll, string args, int httpPort, LogBook log, SoakClock clock)
    {
        var info = new ProcessStartInfo("dotnet", $"\"{servingDll}\" {args}") { RedirectStandardOutput = true, RedirectStandardError = true };
        var process = Process.Start(info) ?? throw new InvalidOperationException($"could not start dotnet {servingDll}");
        var server = new ServerProcess(name, roles, process, log, clock.Seconds, httpPort);
        process.OutputDataReceived += (_, e) => server.OnLine(e.Data);
        process.ErrorDataReceived += (_, e) => server.OnLine(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return server;
    }

    void OnLine(string? line)
    {
        if (line is null)
            return;
        log.Add(Name, line);
        if (line.StartsWith("serving: roles", StringComparison.Ordinal))
            ready.TrySetResult();
    }

    /// <summary>Waits for the start-up line; throws with the process's last lines when it exits or takes too long.</summary>
    public async Task WaitReadyAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        var done = await Task.WhenAny(ready.Task, process.WaitForExitAsync(cancellationToken), Task.Delay(timeout, cancellationToken));
        cancellationToken.ThrowIfCancellationRequested();
        if (done != ready.Task)
            throw new InvalidOperationException($"{Name} did not start{(process.HasExited ? $" (exit code {process.ExitCode})" : $" within {timeout.TotalSeconds:0} s")}:{Environment.NewLine}{log.Tail(Name)}");
    }

    /// <summary>SIGKILL: the process gets no chance to drain or say goodbye.</summary>
    public void Kill()
    {
        Killed = true;
        Stop();
    }

    void Stop()
    {
        try
        {
            if (!process.HasExited)
                process.Kill(entireProcessTree: true);
            process.WaitForExit(10_000);
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
    }

    public void Dispose()
    {
        Stop();
        process.Dispose();
    }
}
