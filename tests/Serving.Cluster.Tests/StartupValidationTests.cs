using System.Diagnostics;

namespace Serving.Cluster.Tests;

/// <summary>A `serving` process refuses bad settings at start-up with a message a person can act on.</summary>
public sealed class StartupValidationTests
{
    [Theory]
    [InlineData("--roles prefill,bogus --redis 127.0.0.1:1", "unknown role 'bogus'")]
    [InlineData("--roles decode", "give --redis")]
    [InlineData("--model /nonexistent/model", "model folder '/nonexistent/model' does not exist")]
    [InlineData("--kv-transport carrier-pigeon", "unknown KV transport")]
    [InlineData("--prefill-chunk-tokens 256 --prefill-layer-groups 4", "are alternatives")]
    [InlineData("--roles decode --redis 127.0.0.1:1", "give --tls-dir DIR")]
    [InlineData("--roles decode --redis 127.0.0.1:1", "or --insecure")]
    [InlineData("--tls-dir /nonexistent/tls", "--tls-dir '/nonexistent/tls' does not exist")]
    public async Task BadSettings_ExitWithAClearMessage(string arguments, string message)
    {
        var (code, output) = await Run(arguments);
        Assert.Equal(2, code);
        Assert.Contains(message, output);
    }

    [Fact]
    public async Task PortInUse_IsNamedWithItsOption()
    {
        using var taken = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Any, 0);
        taken.Start();
        var port = ((System.Net.IPEndPoint)taken.LocalEndpoint).Port;
        var (code, output) = await Run($"--http-port {port}");
        Assert.Equal(2, code);
        Assert.Contains($"port {port} (--http-port) is already in use", output);
    }

    static async Task<(int Code, string Output)> Run(string arguments)
    {
        var info = new ProcessStartInfo("dotnet", $"{Support.ServingProcess.ServingDll()} {arguments}")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stdout + await stderr);
    }
}
