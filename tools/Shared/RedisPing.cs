using System.Net.Sockets;
using System.Text;

namespace Serving.Tools.Shared;

/// <summary>Whether a redis-server answers on a loopback port (compiled into the tools and test projects that start one).</summary>
internal static class RedisPing
{
    /// <summary>
    /// Sends PING and reads the reply: +PONG, or -NOAUTH from a server that wants a password (it is up all the same).
    /// False while nothing listens.
    /// </summary>
    public static async Task<bool> AnswersAsync(int port, CancellationToken cancellationToken = default)
    {
        try
        {
            using var client = new TcpClient();
            await client.ConnectAsync("127.0.0.1", port, cancellationToken);
            var stream = client.GetStream();
            await stream.WriteAsync("PING\r\n"u8.ToArray(), cancellationToken);
            var buffer = new byte[16];
            var n = await stream.ReadAsync(buffer, cancellationToken);
            var reply = Encoding.ASCII.GetString(buffer, 0, n);
            return reply.StartsWith("+PONG", StringComparison.Ordinal) || reply.StartsWith("-NOAUTH", StringComparison.Ordinal);
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
