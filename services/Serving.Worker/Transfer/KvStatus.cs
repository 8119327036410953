using Grpc.Core;

namespace Serving.Worker.Transfer;

/// <summary>How the KV service reports a refusal or failure to the other side: a gRPC status the sender can act on.</summary>
internal static class KvStatus
{
    /// <summary>The gRPC status a failure is reported with; null for failures that are not the peer's business.</summary>
    public static Status? Of(Exception e) => e switch
    {
        KvTransferException { Denied: true } t => new Status(StatusCode.PermissionDenied, t.Message),
        KvTransferException t => new Status(t.Retryable ? StatusCode.Unavailable : StatusCode.FailedPrecondition, t.Message),
        ArgumentException => new Status(StatusCode.InvalidArgument, e.Message),
        InvalidOperationException => new Status(StatusCode.FailedPrecondition, e.Message),
        KeyNotFoundException => new Status(StatusCode.NotFound, e.Message),
        _ => null,
    };

    public static T Guard<T>(Func<T> action)
    {
        try
        {
            return action();
        }
        catch (Exception e) when (Of(e) is { } status)
        {
            throw new RpcException(status);
        }
    }

    public static void Guard(Action action) => Guard(() =>
    {
        action();
        return true;
    });

    public static async Task<T> Guard<T>(Func<Task<T>> action)
    {
        try
        {
            return await action();
        }
        catch (Exception e) when (Of(e) is { } status)
        {
            throw new RpcException(status);
        }
    }

    public static async Task Guard(Func<Task> action)
    {
        try
        {
            await action();
        }
        catch (Exception e) when (Of(e) is { } status)
        {
            throw new RpcException(status);
        }
    }
}
