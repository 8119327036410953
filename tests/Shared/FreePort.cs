using System.Net;
using System.Net.Sockets;

namespace Serving.Tests.Shared;

/// <summary>A TCP port free on loopback right now (compiled into each test project that starts servers).</summary>
internal static class FreePort
{
    public static int Next()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
