using System.Diagnostics;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;
using Polly;
using Serving.Contracts;
using Serving.Gateway.Errors;
using Serving.Model.Requests;

namespace Serving.Gateway.Cluster;

/// <summary>
/// How a gateway runs a request on the cluster: the router assigns workers, the decode (or mixed) worker streams the
/// tokens. When a worker fails, the request is routed elsewhere — from the start if nothing came back yet, or resumed
/// from the tokens already delivered, which continues exactly where it stopped (same seed, same draws).
/// </summary>
public sealed partial class ServingClient(IGrainFactory grains, TokenSink sink, ILogger<ServingClient> logger, RequestObservations? observations = null, ServingGatewayOptions? options = null)
{
    // Workers that fail before a request ends; handovers from stopping processes are not failures and have their own bound.
    const int Attempts = 3;
    const int MaxHandovers = 8;
    // Workers that refuse a request as busy before it starts: tried in turn (the router prefers the least loaded),
    // then the client is told to come back.
    const int BusyAttempts = 3;

    public const string ActivitySourceName = "Serving.Cluster";

    static readonly ActivitySource Activities = new(ActivitySourceName);

    // Router calls cross silos: retry what may be transient (a silo restarting, a dropped connection, the router moving
    // off a silo that drains away: about 1.5 s of retries), never a verdict.
    static readonly ResiliencePipeline RouterCalls = new ResiliencePipelineBuilder()
        .AddRetry(new Polly.Retry.RetryStrategyOptions
        {
            MaxRetryAttempts = 5,
            Delay = TimeSpan.FromMilliseconds(50),
            BackoffType = DelayBackoffType.Exponential,
            // Many gateways retrying after the same hiccup should not come back in step.
            UseJitter = true,
            ShouldHandle = new PredicateBuilder().Handle<Exception>(e => e is not (NoWorkersException or ArgumentException or OperationCanceledException)),
        })
        .AddTimeout(TimeSpan.FromSeconds(10))
        .Build();

    /// <summary>Runs a request, measuring it for the planner: TTFT, TPOT and the longest gap, or that it failed.</summary>
    public async IAsyncEnumerable<TokenChunk> GenerateAsync(GenerationRequest request, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var timer = observations?.Start(request.KnownTokens);
        // The request's own deadline: cancelling the route frees what it holds on the workers, as a client leaving does.
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        if (options?.RequestTimeout is { } limit)
            deadline.CancelAfter(limit);
        await using var chunks = RouteAsync(request, deadline.Token).GetAsyncEnumerator(deadline.Token);
        while (true)
        {
            TokenChunk chunk;
            try
            {
                if (!await chunks.MoveNextAsync())
                    break;
                chunk = chunks.Current;
            }
            catch (Exception) when (!cancellationToken.IsCancellationRequested)
            {
                timer?.Finish(completed: false);
                if (deadline.IsCancellationRequested)
                    throw new ApiException(504, $"the request did not finish within the server's limit of {options!.RequestTimeout!.Value.TotalSeconds:0} s.", "timeout", code: "request_timeout");
                throw;
            }
            timer?.Tokens(chunk.TokenIds.Length, chunk.CachedPromptTokens);
            if (chunk.Finished)
                timer?.Finish(completed: true);
            yield return chunk;
        }
        // A request the client abandoned is neither a success nor the cluster's failure: it is not recorded.
    }

    async IAsyncEnumerable<TokenChunk> RouteAsync(GenerationRequest request, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        request = request.WithResolvedSeed();
        var router = grains.GetGrain<IRouterGrain>(0);
        var delivered = new List<int>();
        var deliveredChars = 0;
        var failures = 0;
        var handovers = 0;
        var busy = 0;
        for (var attempt = 1; ; attempt++)
        {
            var attemptRequest = delivered.Count == 0 ? request : request with { Resume = new ResumePoint([.. delivered], deliveredChars) };
            Assignment assignment;
            using (var route = Activities.StartActivity("route"))
            {
                route?.SetTag("serving.request_id", request.RequestId);
                route?.SetTag("serving.attempt", attempt);
                try
                {
                    // The tokens, not just their count: the router finds the workers whose prefix caches hold them.
                    IReadOnlyList<int> known = attemptRequest.Resume is { } resume ? [.. attemptRequest.PromptTokens, .. resume.OutputTokens] : attemptRequest.PromptTokens;
                    assignment = await RouterCalls.ExecuteAsync(async _ => await router.AssignPrompt(known), cancellationToken);
                }
                catch (Exception e)
                {
                    route?.SetStatus(ActivityStatusCode.Error, e.Message);
                    throw;
                }
                route?.SetTag("serving.decode_worker", assignment.DecodeWorker);
                route?.SetTag("serving.prefill_worker", assignment.PrefillWorker);
            }
            Log.Assigned(logger, request.RequestId, assignment.DecodeWorker, assignment.PrefillWorker ?? "(none)");
            await using var chunks = sink.OpenAsync(assignment.DecodeWorker, attemptRequest, assignment.PrefillWorker, assignment.PrefillKvAddress, cancellationToken)
                .GetAsyncEnumerator(cancellationToken);
            while (true)
            {
                TokenChunk chunk;
                try
                {
                    if (!await chunks.MoveNextAsync())
                        yield break;
                    chunk = chunks.Current;
                }
                catch (WorkerBusyException e) when (++busy < BusyAttempts && !cancellationToken.IsCancellationRequested)
                {
                    Log.Busy(logger, request.RequestId, assignment.DecodeWorker, e.Message);
                    await Task.Delay(TimeSpan.FromMilliseconds(Random.Shared.Next(20, 100)), cancellationToken);
                    break;
                }
                catch (WorkerLeavingException) when (++handovers <= MaxHandovers && !cancellationToken.IsCancellationRequested)
                {
                    // A stopping process handed the request back: nothing failed, and the router already skips that worker.
                    Log.HandedOver(logger, request.RequestId, assignment.DecodeWorker, delivered.Count);
                    break;
                }
                catch (Exception e) when (e is not (WorkerLeavingException or WorkerBusyException) && ++failures < Attempts && !cancellationToken.IsCancellationRequested && e is not ArgumentException)
                {
                    Log.Rerouting(logger, e, request.RequestId, assignment.DecodeWorker, delivered.Count, attempt);
                    await TryReportFailure(router, assignment.DecodeWorker);
                    break;
                }
                delivered.AddRange(chunk.TokenIds);
                deliveredChars += chunk.Text.Length;
                yield return chunk;
                // The request is complete: whatever happens to the stream after this (its grain deactivated, the
                // worker leaving) is not the request's failure, and resuming a finished request would be refused.
                if (chunk.Finished)
                    yield break;
            }
        }
    }

    public Task<WorkerStatus[]> WorkersAsync() => RouterCalls.ExecuteAsync(async _ => await grains.GetGrain<IRouterGrain>(0).Workers()).AsTask();

    public Task<PlannerStatus> PlannerStatusAsync() => RouterCalls.ExecuteAsync(async _ => await grains.GetGrain<IPlannerGrain>(0).Status()).AsTask();

    /// <summary>One quick look at the workers, without retries (health probes must answer within their own timeout).</summary>
    public Task<WorkerStatus[]> WorkersOnceAsync(TimeSpan timeout) => grains.GetGrain<IRouterGrain>(0).Workers().WaitAsync(timeout);

    async Task TryReportFailure(IRouterGrain router, string workerId)
    {
        try
        {
            await router.Failed(workerId);
        }
        catch (Exception e)
        {
            // The router also drops workers that stop reporting; the request goes on either way.
            Log.SuspectFailed(logger, e, workerId);
        }
    }

    static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Information, Message = "Request {RequestId}: worker {WorkerId} is busy ({Reason}); trying another.")]
        public static partial void Busy(ILogger logger, string requestId, string workerId, string reason);

        [LoggerMessage(Level = LogLevel.Information, Message = "Request {RequestId}: decode on {DecodeWorker}, prefill on {PrefillWorker}.")]
        public static partial void Assigned(ILogger logger, string requestId, string decodeWorker, string prefillWorker);

        [LoggerMessage(Level = LogLevel.Warning, Message = "Could not report a failure of worker {WorkerId} to the router; it will drop out if it stops reporting.")]
        public static partial void SuspectFailed(ILogger logger, Exception e, string workerId);

        [LoggerMessage(Level = LogLevel.Information, Message = "Request {RequestId}: worker {WorkerId} is shutting down and handed it back after {Delivered} tokens; resuming elsewhere.")]
        public static partial void HandedOver(ILogger logger, string requestId, string workerId, int delivered);

        [LoggerMessage(Level = LogLevel.Warning, Message = "Request {RequestId}: worker {WorkerId} failed after {Delivered} tokens (attempt {Attempt}); resuming elsewhere.")]
        public static partial void Rerouting(ILogger logger, Exception e, string requestId, string workerId, int delivered, int attempt);
    }
}
