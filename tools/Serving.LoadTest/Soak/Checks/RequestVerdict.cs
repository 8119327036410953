using System.Text.RegularExpressions;
using Serving.LoadTest.Soak.Client;

namespace Serving.LoadTest.Soak.Checks;

/// <summary>
/// Whether every request got a completion or a clear error — and whether enough of them got a completion: a server
/// that cleanly refused everything would pass the first test alone.
/// </summary>
internal static partial class RequestVerdict
{
    public static SoakCheck Answers(IReadOnlyList<SoakOutcome> outcomes, TimeSpan deadline)
    {
        const string Name = "every request answered";
        var violations = outcomes.Where(o => o.Kind == OutcomeKind.Violation).ToList();
        if (violations.Count > 0)
        {
            var first = violations[0];
            var kinds = string.Join("; ", Reasons(violations).Take(5).Select(r => $"{r.Value}× {r.Key}"));
            return new SoakCheck(Name, CheckStatus.Fail,
                $"{violations.Count} request(s) got neither a completion nor a clear error ({kinds}); the first, #{first.Index} ({Describe(first)}) at {first.StartS:0.0} s: {first.Detail}");
        }
        return new SoakCheck(Name, CheckStatus.Pass,
            $"{Count(outcomes, OutcomeKind.Completed)} completed, {Count(outcomes, OutcomeKind.CleanError)} clean errors, {Count(outcomes, OutcomeKind.Rejected)} invalid requests refused, {Count(outcomes, OutcomeKind.Disconnected)} left by the client; "
            + $"no 500, stack trace, empty 200, tokens after finish_reason, torn stream or hang past {deadline.TotalSeconds:0} s");
    }

    public static SoakCheck Completions(IReadOnlyList<SoakOutcome> outcomes, double minShare)
    {
        const string Name = "requests completed";
        var answered = outcomes.Where(o => o.Invalid is null && o.Kind is OutcomeKind.Completed or OutcomeKind.CleanError or OutcomeKind.Violation).ToList();
        if (answered.Count == 0)
            return new SoakCheck(Name, CheckStatus.Fail, "no valid request ran to its end");
        var completed = answered.Count(o => o.Kind == OutcomeKind.Completed);
        var share = (double)completed / answered.Count;
        var errors = Reasons(answered.Where(o => o.Kind == OutcomeKind.CleanError)).Take(3).Select(r => $"{r.Value}× {r.Key}").ToList();
        var detail = $"{completed} of {answered.Count} valid requests the client waited for ({100 * share:0.0}%, at least {100 * minShare:0}% wanted)"
            + (errors.Count > 0 ? $"; errors: {string.Join("; ", errors)}" : "");
        return new SoakCheck(Name, share >= minShare ? CheckStatus.Pass : CheckStatus.Fail, detail);
    }

    /// <summary>Outcomes grouped by their detail with ids and numbers masked, most frequent first.</summary>
    public static IReadOnlyList<KeyValuePair<string, int>> Reasons(IEnumerable<SoakOutcome> outcomes) =>
        [.. outcomes.GroupBy(o => Mask(o.Detail ?? o.Kind.ToString())).Select(g => KeyValuePair.Create(g.Key, g.Count())).OrderByDescending(p => p.Value).ThenBy(p => p.Key, StringComparer.Ordinal)];

    static string Mask(string detail)
    {
        var masked = Numbers().Replace(Ids().Replace(detail, "…"), "#");
        return masked.Length <= 160 ? masked : masked[..160] + "…";
    }

    static int Count(IReadOnlyList<SoakOutcome> outcomes, OutcomeKind kind) => outcomes.Count(o => o.Kind == kind);

    static string Describe(SoakOutcome o) => $"{(o.Api == Planning.LoadTests.ApiKind.Chat ? "chat" : "completions")}, {(o.Stream ? "stream" : "whole")}, n={o.N}, {o.PromptWords} words";

    [GeneratedRegex("[0-9a-fA-F-]{16,}|(cmpl|chatcmpl)-[0-9a-zA-Z-]+|[0-9A-Z]{13}:[0-9A-F]{8}")]
    private static partial Regex Ids();

    // Every number but one at the very start (the status code).
    [GeneratedRegex(@"(?<!^)\b\d+(\.\d+)?\b")]
    private static partial Regex Numbers();
}
