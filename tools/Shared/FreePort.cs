using System.Net;
using System.Net.Sockets;

namespace Serving.Tools.Shared;

/// <summary>
/// A TCP port free on every interface right now (compiled into the tools and test projects that start servers). Taken below
/// the kernel's ephemeral range: a port the kernel handed out (bind to 0) can be handed out again to an outgoing
/// connection before the server under test binds it ("address already in use" in a clean-clone run); a port below
/// that range is never given to one.
/// </summary>
internal static class FreePort
{
    static readonly (int Low, int High) range = Range();
    static int next = range.Low + Environment.ProcessId % (range.High - range.Low);

    public static int Next()
    {
        var span = range.High - range.Low;
        for (var tries = 0; tries < span; tries++)
        {
            var port = range.Low + (int)((uint)Interlocked.Increment(ref next) % (uint)span);
            if (IsFree(port))
                return port;
        }
        throw new InvalidOperationException($"no free TCP port in [{range.Low}, {range.High}).");
    }

    static bool IsFree(int port)
    {
        try
        {
            using var listener = new TcpListener(IPAddress.Any, port);
            listener.Start();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    /// <summary>Ports below the ephemeral range (Linux's ip_local_port_range; 32768 where it cannot be read).</summary>
    static (int Low, int High) Range()
    {
        var ephemeralLow = 32768;
        try
        {
            var fields = File.ReadAllText("/proc/sys/net/ipv4/ip_local_port_range").Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length > 0 && int.TryParse(fields[0], out var low) && low > 12000)
                ephemeralLow = low;
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
        return (ephemeralLow - 10000, ephemeralLow);
    }
}
