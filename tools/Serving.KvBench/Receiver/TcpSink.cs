using System.Net;
using System.Net.Sockets;

namespace Serving.KvBench.Receiver;

/// <summary>
/// Raw TCP baseline: each message is an 8-byte length then that many bytes, read into one buffer and discarded;
/// a one-byte ack tells the sender everything arrived.
/// </summary>
internal sealed class TcpSink : IDisposable
{
    readonly TcpListener listener = new(IPAddress.Loopback, 0);
    readonly CancellationTokenSource stopping = new();

    TcpSink() => listener.Start();

    public int Port => ((IPEndPoint)listener.LocalEndpoint).Port;

    public static TcpSink Start()
    {
        var sink = new TcpSink();
        _ = Task.Run(sink.AcceptAsync);
        return sink;
    }

    async Task AcceptAsync()
    {
        try
        {
            while (true)
            {
                var socket = await listener.AcceptSocketAsync(stopping.Token);
                _ = Task.Run(() => ServeAsync(socket));
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    async Task ServeAsync(Socket socket)
    {
        using (socket)
        {
            socket.NoDelay = true;
            var buffer = new byte[1 << 20];
            var length = new byte[8];
            while (await ReadExactlyAsync(socket, length))
            {
                var left = BitConverter.ToInt64(length);
                while (left > 0)
                {
                    var n = await socket.ReceiveAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, left)), SocketFlags.None);
                    if (n == 0)
                        return;
                    left -= n;
                }
                await socket.SendAsync(new byte[] { 1 }, SocketFlags.None);
            }
        }
    }

    static async Task<bool> ReadExactlyAsync(Socket socket, Memory<byte> into)
    {
        var read = 0;
        while (read < into.Length)
        {
            var n = await socket.ReceiveAsync(into[read..], SocketFlags.None);
            if (n == 0)
                return false;
            read += n;
        }
        return true;
    }

    public void Dispose()
    {
        stopping.Cancel();
        listener.Stop();
        stopping.Dispose();
    }
}
