using Serving.LoadTest.Soak.Checks;
using Serving.Tools.Shared;

namespace Serving.LoadTest.Soak.Target;

/// <summary>The README's default, started by the soak: one `serving` process with a gateway, a prefill and a decode worker, on free ports.</summary>
internal sealed class EmbeddedTarget : ISoakTarget
{
    readonly ServerProcess server;

    EmbeddedTarget(ServerProcess server)
    {
        this.server = server;
        BaseUrl = new Uri($"http://127.0.0.1:{server.HttpPort}/");
    }

    public Uri BaseUrl { get; }
    public string Description => $"one `serving` process (gateway, prefill, decode), pid {server.Pid}, {BaseUrl}";
    public IReadOnlyList<WatchedProcess> Processes => server.HasExited ? [] : [server.Watched];
    public bool CapturesLogs => true;
    public IWorkerKiller? Killer => null;

    public static async Task<EmbeddedTarget> StartAsync(SoakTargetSettings settings, HttpClient http, LogBook log, SoakClock clock, CancellationToken cancellationToken)
    {
        var dll = settings.ServingDll ?? Embedded.EmbeddedServing.FindServingDll();
        var port = FreePort.Next();
        var args = $"--http-port {port} --silo-port {FreePort.Next()} --orleans-client-port {FreePort.Next()} --kv-port {FreePort.Next()} {settings.ServingArgs}";
        var target = new EmbeddedTarget(ServerProcess.Start("serving", "gateway,prefill,decode", dll, args, port, log, clock));
        try
        {
            await HealthWait.UntilHealthyAsync(http, target.BaseUrl, null, TimeSpan.FromMinutes(3),
                () => target.server.HasExited ? $"serving exited:{Environment.NewLine}{log.Tail("serving")}" : null, cancellationToken);
            return target;
        }
        catch
        {
            await target.DisposeAsync();
            throw;
        }
    }

    public ValueTask DisposeAsync()
    {
        server.Dispose();
        return ValueTask.CompletedTask;
    }
}
