using System.Text.Json;
using Serving.EndToEnd.Tests.Support;

namespace Serving.EndToEnd.Tests;

/// <summary>The probes Kubernetes asks a process: /livez (engines make progress) and /readyz (it can serve).</summary>
[Collection(DefaultHostCollection.Name)]
public sealed class ProbeTests(DefaultHost host)
{
    [Fact]
    public async Task Livez_OnAServingProcess_IsOkWithItsEngineCheck()
    {
        using var response = await host.Http.GetAsync("/livez");
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;

        Assert.Equal(200, (int)response.StatusCode);
        Assert.Equal("ok", body.GetProperty("status").GetString());
        Assert.Equal(["engines"], body.GetProperty("checks").EnumerateArray().Select(c => c.GetProperty("name").GetString()));
    }

    [Fact]
    public async Task Readyz_OnceTheWorkersAreInRouting_IsOkForTheWorkersAndTheGateway()
    {
        using var response = await host.Http.GetAsync("/readyz");
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;

        Assert.Equal(200, (int)response.StatusCode);
        var checks = body.GetProperty("checks").EnumerateArray().ToDictionary(c => c.GetProperty("name").GetString()!, c => c.GetProperty("status").GetString());
        Assert.Equal(new Dictionary<string, string?> { ["workers"] = "ok", ["gateway"] = "ok" }, checks);
    }
}
