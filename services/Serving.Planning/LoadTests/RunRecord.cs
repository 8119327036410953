namespace Serving.Planning.LoadTests;

/// <summary>One run in the result: the rate asked for (null when not a rate), its summary, the client's overhead and every request.</summary>
public sealed record RunRecord(double? Rate, RunSummary Summary, ClientOverhead ClientOverhead, double? LoadAverageAfter, IReadOnlyList<RequestResult> Requests);
