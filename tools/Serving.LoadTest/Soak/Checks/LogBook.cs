using System.Text.RegularExpressions;

namespace Serving.LoadTest.Soak.Checks;

/// <summary>
/// The server processes' output as the soak reads it: every error-level line (Microsoft's console format "fail:" and
/// "crit:", an unhandled exception, a fatal "error:" at start-up) kept with its time, and the last lines of each
/// source for a failure message. Thread-safe: processes write from their reader threads.
/// </summary>
internal sealed partial class LogBook(SoakClock clock)
{
    const int MaxErrors = 5000;
    const int TailLines = 200;
    readonly Lock gate = new();
    readonly List<LogLine> errors = [];
    readonly Dictionary<string, Queue<string>> tails = [];
    long lines;
    long errorCount;

    public long Lines => Interlocked.Read(ref lines);
    public long ErrorCount => Interlocked.Read(ref errorCount);

    public void Add(string source, string text)
    {
        Interlocked.Increment(ref lines);
        var error = IsError(text);
        lock (gate)
        {
            if (!tails.TryGetValue(source, out var tail))
                tails[source] = tail = new Queue<string>();
            tail.Enqueue(text);
            while (tail.Count > TailLines)
                tail.Dequeue();
            if (error)
            {
                errorCount++;
                if (errors.Count < MaxErrors)
                    errors.Add(new LogLine(source, clock.Seconds, text));
            }
        }
    }

    public IReadOnlyList<LogLine> Errors()
    {
        lock (gate)
            return [.. errors];
    }

    public string Tail(string source, int count = 40)
    {
        lock (gate)
            return tails.TryGetValue(source, out var tail) ? string.Join(Environment.NewLine, tail.TakeLast(count)) : "";
    }

    /// <summary>Whether a line is logged at error level or above.</summary>
    public static bool IsError(string line) => ErrorLine().IsMatch(line);

    // Microsoft.Extensions.Logging's simple console: "[HH:mm:ss ]fail: Category[id] ..." ("crit:" for critical).
    [GeneratedRegex(@"^(\d\d:\d\d:\d\d(\.\d+)? )?(fail|crit): |^Unhandled exception\.|^error: ", RegexOptions.CultureInvariant)]
    private static partial Regex ErrorLine();
}
