using System.CommandLine;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Serving.Tools.Shared;

namespace Serving.Host.Tests.Lifecycle;

/// <summary>`serving probe live|ready`, the image's HEALTHCHECK: asks the process's own port, exits 0 only on 200.</summary>
public sealed class ProbeCommandTests
{
    [Theory]
    [InlineData("gateway", "8080", "9191", 8080)]
    [InlineData("gateway,prefill,decode", null, null, 8000)]
    [InlineData(null, null, null, 8000)]
    [InlineData("decode", "8080", "9191", 9191)]
    [InlineData("prefill", null, null, null)]
    public void Port_IsTheGatewaysHttpPort_ElseTheMetricsPort(string? roles, string? http, string? metrics, int? expected)
    {
        var variables = new Dictionary<string, string?> { ["SERVING_ROLES"] = roles, ["SERVING_HTTP_PORT"] = http, ["SERVING_METRICS_PORT"] = metrics };

        Assert.Equal(expected, ProbeCommand.PortFrom(v => variables.GetValueOrDefault(v)));
    }

    [Fact]
    public async Task Probe_ExitsZeroOnlyWhenTheProcessAnswers200()
    {
        var port = FreePort.Next();
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        await using var app = builder.Build();
        app.MapGet("/livez", () => Results.Ok());
        app.MapGet("/readyz", () => Results.StatusCode(503));
        await app.StartAsync();

        Assert.Equal(0, await ProbeAsync("live", port));
        Assert.Equal(1, await ProbeAsync("ready", port));
        await app.StopAsync();
        Assert.Equal(1, await ProbeAsync("live", port));
    }

    static Task<int> ProbeAsync(string kind, int port)
    {
        var root = new RootCommand();
        root.Subcommands.Add(ProbeCommand.Create());
        return root.Parse(["probe", kind, "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--timeout-s", "2"]).InvokeAsync();
    }
}
