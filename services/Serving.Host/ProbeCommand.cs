using System.CommandLine;

namespace Serving.Host;

/// <summary>
/// `serving probe live|ready`: asks this container's own `serving` process for /livez or /readyz and exits 0 when it
/// answers 200 — the Dockerfile's HEALTHCHECK, for places without HTTP probes. The port comes from the same
/// settings the process reads: the gateway's HTTP port when its roles include the gateway, else --metrics-port.
/// </summary>
internal static class ProbeCommand
{
    public static Command Create()
    {
        var command = new Command("probe", "Ask the serving process in this container whether it is alive (/livez) or ready (/readyz); exit 0 when it is.");
        var kind = new Argument<string>("probe") { Description = "live or ready.", DefaultValueFactory = _ => "ready" };
        kind.AcceptOnlyFromAmong("live", "ready");
        var port = new Option<int?>("--port") { Description = "Port to ask (default: from the SERVING_* variables — SERVING_HTTP_PORT when SERVING_ROLES has the gateway, else SERVING_METRICS_PORT; give it when the process was configured on its command line)." };
        var timeout = new Option<double>("--timeout-s") { Description = "Seconds to wait for the answer.", DefaultValueFactory = _ => 3 };
        command.Arguments.Add(kind);
        command.Options.Add(port);
        command.Options.Add(timeout);
        command.SetAction(async (parse, ct) =>
        {
            var target = parse.GetValue(port) ?? PortFrom(Environment.GetEnvironmentVariable);
            if (target is null)
            {
                Console.Error.WriteLine("probe: this process has no HTTP endpoint to ask: give it --metrics-port (SERVING_METRICS_PORT), or give the probe --port.");
                return 1;
            }
            return await AskAsync(target.Value, parse.GetValue(kind) == "live" ? "/livez" : "/readyz", TimeSpan.FromSeconds(parse.GetValue(timeout)), ct);
        });
        return command;
    }

    /// <summary>The port `serving` serves its probes on, from the SERVING_* variables it was started with (null: it has none).</summary>
    public static int? PortFrom(Func<string, string?> variable)
    {
        var roles = variable("SERVING_ROLES") is { Length: > 0 } r ? r : "gateway,prefill,decode";
        if (roles.Split(',', StringSplitOptions.TrimEntries).Contains("gateway", StringComparer.OrdinalIgnoreCase))
            return int.TryParse(variable("SERVING_HTTP_PORT"), out var http) ? http : new HostSettings().HttpPort;
        return int.TryParse(variable("SERVING_METRICS_PORT"), out var metrics) ? metrics : null;
    }

    static async Task<int> AskAsync(int port, string path, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var http = new HttpClient { Timeout = timeout };
        try
        {
            using var response = await http.GetAsync($"http://127.0.0.1:{port}{path}", cancellationToken);
            Console.WriteLine($"{path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(cancellationToken)}");
            return response.IsSuccessStatusCode ? 0 : 1;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            Console.WriteLine($"{path}: no answer on port {port} ({e.Message})");
            return 1;
        }
    }
}
