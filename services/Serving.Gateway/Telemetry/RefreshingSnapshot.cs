using System.Diagnostics;

namespace Serving.Gateway.Telemetry;

/// <summary>
/// The last answer of a remote read, for gauges: reading returns it at once and, when it is older than
/// <paramref name="maxAge"/>, starts one fresh read in the background. Past <paramref name="stale"/> without a fresh
/// answer, reads return <paramref name="empty"/> rather than an old picture.
/// </summary>
internal sealed class RefreshingSnapshot<T>(Func<Task<T>> read, T empty, TimeSpan maxAge, TimeSpan stale, Action<Exception> failed) where T : class
{
    T? value;
    long refreshedAt;
    int refreshing;

    public T Read()
    {
        if (Stopwatch.GetElapsedTime(Volatile.Read(ref refreshedAt)) > maxAge && Interlocked.Exchange(ref refreshing, 1) == 0)
            _ = RefreshAsync();
        return Volatile.Read(ref value) ?? empty;
    }

    async Task RefreshAsync()
    {
        try
        {
            Volatile.Write(ref value, await read());
            Volatile.Write(ref refreshedAt, Stopwatch.GetTimestamp());
        }
        catch (Exception e)
        {
            failed(e);
            if (Stopwatch.GetElapsedTime(Volatile.Read(ref refreshedAt)) > stale)
                Volatile.Write(ref value, null);
        }
        finally
        {
            Volatile.Write(ref refreshing, 0);
        }
    }
}
