using Serving.LoadTest.Soak.Faults;

namespace Serving.LoadTest.Soak.Checks;

/// <summary>
/// The error-level lines of the servers' logs, split into those an injected fault explains — written between its
/// start and <c>grace</c> after its end — and the rest, which fail the soak. A client walking away is no fault a
/// server should log an error for, so disconnects explain nothing.
/// </summary>
/// <param name="DuringFaults">The first of the lines put down to faults, to show what a fault makes the servers log.</param>
internal sealed record LogVerdict(long Lines, long ErrorLines, int Attributed, IReadOnlyList<LogLine> Unattributed, IReadOnlyList<LogLine> DuringFaults)
{
    public const int Shown = 50;

    public static LogVerdict Of(LogBook log, IReadOnlyList<FaultRecord> faults, TimeSpan grace)
    {
        var errors = log.Errors();
        bool Explained(LogLine e) => faults.Any(f => e.AtS >= f.StartS - 1 && e.AtS <= f.EndS + grace.TotalSeconds);
        var unexplained = errors.Where(e => !Explained(e)).ToList();
        return new LogVerdict(log.Lines, log.ErrorCount, errors.Count - unexplained.Count, unexplained, [.. errors.Where(Explained).Take(Shown)]);
    }

    public SoakCheck Check(bool captured)
    {
        const string Name = "no unexplained error logs";
        if (!captured)
            return new SoakCheck(Name, CheckStatus.Skipped, "the server's log is not visible (give --server-log FILE, or let the soak start the server)");
        if (Unattributed.Count == 0)
            return new SoakCheck(Name, CheckStatus.Pass, $"{Lines} lines, {ErrorLines} at error level, {Attributed} of them during injected faults");
        var first = Unattributed[0];
        return new SoakCheck(Name, CheckStatus.Fail,
            $"{Unattributed.Count} error-level line(s) outside any injected fault (of {Lines} lines); the first, at {first.AtS:0.0} s from {first.Source}: {Clip(first.Text)}");
    }

    static string Clip(string text) => text.Length <= 400 ? text : text[..400] + "…";
}
