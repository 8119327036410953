using Serving.Cluster.Abstractions;
using Serving.Gateway.Errors;

namespace Serving.Gateway.Generation;

/// <summary>What the client is told when the cluster cannot finish a request.</summary>
internal static class ClusterErrors
{
    public static ApiException ToApi(Exception e) => e switch
    {
        ApiException api => api,
        NoWorkersException => new ApiException(503, e.Message, "service_unavailable", code: "no_workers"),
        // Engine-side parameter names (camelCase) mean nothing to API users; API field names are snake_case.
        ArgumentException a => ApiException.BadRequest(a.Message, a.ParamName is { } p && p.All(c => !char.IsUpper(c)) ? p : null),
        _ => new ApiException(503, $"The cluster could not complete the request ({e.GetType().Name}: {e.Message}).", "service_unavailable", code: "worker_failed"),
    };
}
