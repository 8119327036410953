using System.Text;
using Serving.LoadTest.Soak.Checks;

namespace Serving.LoadTest.Soak.Target;

/// <summary>Follows a log file another process writes (tail -f): only what is appended after the soak starts, line by line, into the <see cref="LogBook"/>.</summary>
internal sealed class LogTail : IAsyncDisposable
{
    readonly CancellationTokenSource stop = new();
    readonly Task reading;

    LogTail(string path, LogBook log)
    {
        var start = new FileInfo(path).Length;
        reading = Task.Run(() => FollowAsync(path, start, log, stop.Token));
    }

    public static LogTail Follow(string path, LogBook log) =>
        File.Exists(path) ? new LogTail(path, log) : throw new FileNotFoundException($"--server-log {path} does not exist", path);

    static async Task FollowAsync(string path, long start, LogBook log, CancellationToken cancellationToken)
    {
        var source = Path.GetFileName(path);
        await using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        file.Seek(start, SeekOrigin.Begin);
        using var reader = new StreamReader(file, Encoding.UTF8);
        var partial = new StringBuilder();
        while (!cancellationToken.IsCancellationRequested)
        {
            // ReadLine returns a last line without its newline too: hold it until the writer finishes it.
            var text = await reader.ReadToEndAsync(cancellationToken);
            if (text.Length > 0)
            {
                partial.Append(text);
                var all = partial.ToString();
                var end = all.LastIndexOf('\n');
                if (end >= 0)
                {
                    foreach (var line in all[..end].Split('\n'))
                        log.Add(source, line.TrimEnd('\r'));
                    partial.Clear().Append(all[(end + 1)..]);
                }
                continue;
            }
            try
            {
                await Task.Delay(500, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await stop.CancelAsync();
        try
        {
            await reading;
        }
        catch (OperationCanceledException)
        {
        }
        stop.Dispose();
    }
}
