using Serving.LoadTest.Client;
using Serving.LoadTest.Workloads;
using Serving.Planning.LoadTests;

namespace Serving.LoadTest.Tests.Support;

/// <summary>Clients and requests for the fake server.</summary>
internal static class Harness
{
    public static readonly HttpClient Http = new() { Timeout = Timeout.InfiniteTimeSpan };

    public static TargetSettings Target(Uri baseUrl, ApiKind api = ApiKind.Completions, double timeoutS = 30) =>
        new() { BaseUrl = baseUrl, Model = FakeOpenAiServer.Model, Api = api, RequestTimeout = TimeSpan.FromSeconds(timeoutS) };

    public static StreamingClient Client(Uri baseUrl, ApiKind api = ApiKind.Completions, double timeoutS = 30) =>
        new(Http, Target(baseUrl, api, timeoutS), FakeOpenAiServer.Model);

    public static List<WorkloadRequest> Requests(int count, int outputTokens) =>
        [.. Enumerable.Range(0, count).Select(i => new WorkloadRequest(i, $"prompt {i}", 7, outputTokens))];
}
