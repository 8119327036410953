using System.Net;
using System.Net.Sockets;

namespace Serving.LoadTest.Soak.Target;

/// <summary>
/// Free TCP ports for the processes the soak starts, taken below the kernel's ephemeral range: a port from bind(0) can
/// be handed to an outgoing connection before the server binds it ("address already in use"), and a soak makes
/// thousands of connections. The same rule as the tests' FreePort.
/// </summary>
internal static class PortFinder
{
    static readonly (int Low, int High) Range = ReadRange();
    static int next = Range.Low + Environment.ProcessId * 7 % (Range.High - Range.Low);

    public static int Next()
    {
        var span = Range.High - Range.Low;
        for (var tries = 0; tries < span; tries++)
        {
            var port = Range.Low + (int)((uint)Interlocked.Increment(ref next) % (uint)span);
            if (IsFree(port))
                return port;
        }
        throw new InvalidOperationException($"no free TCP port in [{Range.Low}, {Range.High}).");
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

    /// <summary>The 10,000 ports under Linux's ip_local_port_range (under 32768 where it cannot be read).</summary>
    static (int Low, int High) ReadRange()
    {
        var low = 32768;
        try
        {
            var fields = File.ReadAllText("/proc/sys/net/ipv4/ip_local_port_range").Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length > 0 && int.TryParse(fields[0], out var first) && first > 12000)
                low = first;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }
        return (low - 10000, low);
    }
}
