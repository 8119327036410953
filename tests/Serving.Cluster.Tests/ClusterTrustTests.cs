using System.Globalization;
using System.Net.Http.Json;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using Grpc.Core;
using Grpc.Net.Client;
using Serving.Cluster.Tests.Support;
using Serving.Engine.DefaultModel;
using Serving.Protocol.V1;
using Serving.Worker.Security;

namespace Serving.Cluster.Tests;

/// <summary>
/// The cluster's internal planes take only peers with a certificate of the cluster CA: real processes, a real Redis,
/// certificates written by `serving certs`.
/// </summary>
public sealed class ClusterTrustTests(ClusterTrustFixture f, Xunit.Abstractions.ITestOutputHelper output) : IClassFixture<ClusterTrustFixture>
{
    [Fact]
    public async Task KvPort_RefusesPlaintextHttp2()
    {
        AssertRefusedInTheHandshake(await PushUnknownRequest(new GrpcChannelOptions { HttpHandler = new SocketsHttpHandler() }, "http"));
    }

    [Fact]
    public async Task KvPort_RefusesAClientWithoutACertificate_OrWithAnotherCasCertificate()
    {
        using var foreign = ClusterTls.Load(ClusterCertificates.Foreign);
        foreach (X509Certificate2[] presented in new[] { [], new[] { foreign.Certificate } })
        {
            AssertRefusedInTheHandshake(await PushUnknownRequest(Options(presented), "https"));
        }
    }

    [Fact]
    public async Task KvPort_AnswersAClientWithTheClustersCertificate()
    {
        using var tls = ClusterTls.Load(ClusterCertificates.Directory);
        var e = Assert.IsType<RpcException>(await PushUnknownRequest(new GrpcChannelOptions { HttpHandler = new SocketsHttpHandler { SslOptions = tls.ClientOptions() } }, "https"));
        // Past the handshake: the KV service itself answers, refusing KV for a worker and request it does not hold.
        Assert.Equal(StatusCode.FailedPrecondition, e.StatusCode);
    }

    [Fact]
    public async Task ProcessesWithAnotherCasCertificate_OrWithoutTls_CannotJoinTheCluster_AndItKeepsServing()
    {
        var model = DefaultModelStore.EnsureDefault();
        using var foreign = ServingProcess.Start("foreign", "decode", f.Cluster.Redis, model, extra: $"--tls-dir {ClusterCertificates.Foreign}");
        using var plaintext = ServingProcess.Start("plaintext", "decode", f.Cluster.Redis, model, extra: "--insecure");

        // Each finds the cluster in Redis but no silo of it lets it connect: its silo never finishes joining (it does
        // not come up, or gives up and exits); a heartbeat of its worker would reach the router every second had it joined.
        await Task.Delay(TimeSpan.FromSeconds(20));
        foreach (var intruder in new[] { foreign, plaintext })
            Assert.True(!intruder.IsReady || intruder.HasExited,
                $"{intruder.Name} came up:{Environment.NewLine}{string.Join(Environment.NewLine, intruder.Output.TakeLast(20))}");
        var worker = Assert.Single(await Workers());
        // Every process names its worker decode-0: the silo address in the key tells the gateway's own from the intruders'.
        Assert.Contains($":{f.Cluster["gateway"].SiloPort}@", worker.GetProperty("id").GetString());
        Assert.Contains(plaintext.Output, l => l.Contains("WARNING: --insecure", StringComparison.Ordinal));

        using var response = await f.Cluster.Http.PostAsJsonAsync("/v1/completions", new { prompt = "Still serving", max_tokens = 4 });
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public void TheClustersKey_NeverAppearsInAProcesssOutput()
    {
        var key = File.ReadAllLines(Path.Combine(ClusterCertificates.Directory, ClusterTls.KeyFile)).Where(l => !l.StartsWith("-----", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(key);
        foreach (var process in f.Cluster.Processes)
        {
            Assert.DoesNotContain(process.Output, l => l.Contains("PRIVATE KEY", StringComparison.Ordinal));
            Assert.DoesNotContain(process.Output, l => key.Any(k => l.Contains(k, StringComparison.Ordinal)));
        }
    }

    [Fact]
    public async Task TheEmbeddedDefault_ListensOnLoopbackOnly_ApartFromTheHttpApi()
    {
        using var embedded = ServingProcess.Start("embedded", "gateway,prefill,decode", redis: null, DefaultModelStore.EnsureDefault());
        await embedded.WaitReadyAsync(TimeSpan.FromSeconds(90));

        var listening = ListeningSockets();
        Assert.Equal(["0.0.0.0"], listening.Where(s => s.Port == embedded.HttpPort).Select(s => s.Address).Distinct());
        foreach (var port in new[] { embedded.KvPort, embedded.SiloPort, embedded.OrleansClientPort })
        {
            var addresses = listening.Where(s => s.Port == port).Select(s => s.Address).Distinct().ToList();
            Assert.NotEmpty(addresses);
            Assert.All(addresses, a => Assert.True(a is "127.0.0.1" or "::1", $"port {port} listens on {a}"));
        }
    }

    /// <summary>
    /// No HTTP/2 connection came up: the server closed it in the TLS handshake, before reading any request. grpc-dotnet
    /// reports that as a failed call, or, when the client stream's first write meets it, as the HTTP error itself.
    /// </summary>
    static void AssertRefusedInTheHandshake(Exception e)
    {
        const string NoConnection = "An HTTP/2 connection could not be established";
        if (e is RpcException rpc)
        {
            Assert.True(rpc.StatusCode is StatusCode.Unavailable or StatusCode.Internal, $"{rpc.StatusCode}: {rpc.Status.Detail}");
            Assert.Contains(NoConnection, rpc.Status.Detail, StringComparison.Ordinal);
        }
        else
        {
            Assert.True(e is HttpRequestException or IOException, $"{e.GetType().Name}: {e.Message}");
            Assert.Contains(NoConnection, e.Message, StringComparison.Ordinal);
        }
    }

    async Task<Exception> PushUnknownRequest(GrpcChannelOptions options, string scheme)
    {
        using var channel = GrpcChannel.ForAddress($"{scheme}://127.0.0.1:{f.Cluster["gateway"].KvPort}", options);
        var client = new KvTransfer.KvTransferClient(channel);
        var e = await Assert.ThrowsAnyAsync<Exception>(async () =>
        {
            using var call = client.Push(deadline: DateTime.UtcNow.AddSeconds(20));
            await call.RequestStream.WriteAsync(new KvPushRequest { Header = new Protocol.V1.KvTransferHeader { RequestId = "not-reserved", TargetWorker = "decode-0" } });
            await call.RequestStream.CompleteAsync();
            await call.ResponseAsync;
        });
        output.WriteLine($"{scheme}: {e.GetType().Name}: {e.Message}");
        return e;
    }

    /// <summary>A client that presents the given certificates and accepts any server: only the server's check is tested.</summary>
    static GrpcChannelOptions Options(X509Certificate2[] presented) => new()
    {
        HttpHandler = new SocketsHttpHandler
        {
            SslOptions = new SslClientAuthenticationOptions
            {
                TargetHost = ClusterTls.ServerName,
                ClientCertificates = [.. presented],
                RemoteCertificateValidationCallback = (_, _, _, _) => true,
            },
        },
    };

    async Task<List<JsonElement>> Workers() =>
        [.. JsonDocument.Parse(await f.Cluster.Http.GetStringAsync("/health")).RootElement.GetProperty("workers").EnumerateArray()];

    /// <summary>Every TCP socket in the LISTEN state on this machine, from /proc/net/tcp and tcp6.</summary>
    static List<(string Address, int Port)> ListeningSockets()
    {
        var sockets = new List<(string, int)>();
        foreach (var file in new[] { "/proc/net/tcp", "/proc/net/tcp6" }.Where(File.Exists))
            foreach (var line in File.ReadLines(file).Skip(1))
            {
                var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                if (fields[3] != "0A")
                    continue;
                var (hex, port) = (fields[1].Split(':')[0], int.Parse(fields[1].Split(':')[1], NumberStyles.HexNumber, CultureInfo.InvariantCulture));
                sockets.Add((Address(hex), port));
            }
        return sockets;
    }

    /// <summary>A /proc/net address (little-endian 32-bit words) as text; the IPv6 forms we meet are any, loopback and v4-mapped.</summary>
    static string Address(string hex)
    {
        var bytes = Convert.FromHexString(hex);
        for (var i = 0; i < bytes.Length; i += 4)
            Array.Reverse(bytes, i, 4);
        var address = new System.Net.IPAddress(bytes);
        if (address.IsIPv4MappedToIPv6)
            address = address.MapToIPv4();
        return address.Equals(System.Net.IPAddress.IPv6Any) ? "0.0.0.0" : address.ToString();
    }
}

/// <summary>Redis and one `serving` process (gateway and a decode worker) with the cluster's certificates.</summary>
public sealed class ClusterTrustFixture : IAsyncLifetime
{
    internal ClusterProcesses Cluster { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Cluster = await ClusterProcesses.StartAsync(redisPassword: false, extra: "", ("gateway", "gateway,decode"));
        await Cluster.WaitForWorkersAsync(1, TimeSpan.FromSeconds(60));
    }

    public Task DisposeAsync()
    {
        Cluster?.Dispose();
        return Task.CompletedTask;
    }
}
