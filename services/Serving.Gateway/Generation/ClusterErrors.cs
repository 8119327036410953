using Microsoft.Extensions.Logging;
using Serving.Contracts;
using Serving.Gateway.Errors;

namespace Serving.Gateway.Generation;

/// <summary>
/// What the client is told when the cluster cannot finish a request, and what the log keeps. The gateway has
/// validated the request before any worker saw it, so a failure from the cluster is the server's, never a 400: the
/// client gets a generic message and the request id, the log gets the exception.
/// </summary>
internal static partial class ClusterErrors
{
    public static ApiException ToApi(Exception e, ILogger logger, string requestId)
    {
        switch (e)
        {
            case ApiException api:
                return api;
            case NoWorkersException:
                Log.NoWorkers(logger, requestId, e.Message);
                return new ApiException(503, e.Message, "service_unavailable", code: "no_workers") { RetryAfterSeconds = 1 };
            case WorkerBusyException:
                Log.NoWorkers(logger, requestId, e.Message);
                return new ApiException(503, "Every worker's queue is full; retry the request shortly.", "service_unavailable", code: "server_busy") { RetryAfterSeconds = 1 };
            default:
                Log.Failed(logger, e, requestId);
                return new ApiException(503, $"The cluster could not complete request {requestId}; the server log has the cause.", "service_unavailable", code: "worker_failed");
        }
    }

    static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Warning, Message = "Request {RequestId} refused: {Reason}")]
        public static partial void NoWorkers(ILogger logger, string requestId, string reason);

        [LoggerMessage(Level = LogLevel.Error, Message = "Request {RequestId} failed in the cluster.")]
        public static partial void Failed(ILogger logger, Exception e, string requestId);
    }
}
