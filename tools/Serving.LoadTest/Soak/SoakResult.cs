using System.Text.Json;
using Serving.LoadTest.Soak.Checks;
using Serving.LoadTest.Soak.Client;
using Serving.LoadTest.Soak.Faults;

namespace Serving.LoadTest.Soak;

/// <summary>result.json of a soak: the verdict and every figure behind it, with the settings and machine to repeat it.</summary>
internal sealed record SoakResult
{
    public string Tool => "serving-loadtest soak";
    public required bool Passed { get; init; }
    public required IReadOnlyList<SoakCheck> Checks { get; init; }
    public required string StartedUtc { get; init; }
    public required IReadOnlyList<string> CommandLine { get; init; }
    public required JsonElement Machine { get; init; }
    public required string Target { get; init; }
    public required string Model { get; init; }
    public required JsonElement Settings { get; init; }
    public required double LoadSeconds { get; init; }
    public required double WarmUpSeconds { get; init; }
    public required SoakRequestCounts Requests { get; init; }
    public required IReadOnlyList<KeyValuePair<string, int>> CleanErrors { get; init; }
    public required IReadOnlyList<SoakOutcome> Violations { get; init; }
    public required IReadOnlyList<FaultRecord> Faults { get; init; }
    public required KvReport Kv { get; init; }
    public required IReadOnlyList<RssVerdict> Rss { get; init; }
    public required LogVerdict Logs { get; init; }
}
