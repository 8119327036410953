using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Polly;
using Serving.Contracts;
using Serving.Engine.Core;
using Serving.Worker.Runtime;
using Serving.Worker.Telemetry;
using Serving.Worker.Transfer;

namespace Serving.Worker.Roles;

/// <summary>
/// The decode side of disaggregation, which drives the request: reserves KV blocks first, has a prefill worker compute
/// the prompt while the transport brings its KV into them, then continues the request in its continuous batch. When
/// the transfer finally fails, it recomputes the prefill itself, so the client still gets the right output.
/// </summary>
public sealed partial class DecodeRole(EngineLoop loop, KvInbox inbox, KvEndpoint endpoint, IKvTransport transport, ResiliencePipeline transferPipeline, ILogger logger, WorkerTelemetry? telemetry = null)
{
    int recomputed;

    public EngineLoop Loop { get; } = loop;
    public KvEndpoint Endpoint { get; } = endpoint;

    /// <summary>How long a request waits for KV room here before it is refused as busy (it holds nothing meanwhile).</summary>
    public TimeSpan ReservationTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Requests whose transfer finally failed and whose prefill this worker recomputed.</summary>
    public int Recomputed => Volatile.Read(ref recomputed);

    /// <param name="request">Its seed resolved already (<see cref="GenerationRequest.WithResolvedSeed"/>): the prefill worker samples the first token.</param>
    public async IAsyncEnumerable<RequestOutput> GenerateAsync(
        GenerationRequest request, IPrefillService prefill, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var id = request.RequestId;
        using var decode = WorkerTelemetry.Activities.StartActivity("decode");
        decode?.SetTag("serving.request_id", id);
        decode?.SetTag("serving.worker", Endpoint.WorkerId);
        var reservation = await ReserveAsync(request, cancellationToken);
        var outputs = reservation.Outputs;
        // The prefix this worker's cache holds stays here: the prefill worker sends only the blocks after it.
        var transferToken = inbox.Expect(id, request.KnownTokens, reservation.CachedTokens);
        if (reservation.CachedTokens > 0)
            telemetry?.KvSaved.Add(reservation.CachedTokens / Loop.Description.KvLayout.BlockSize * Loop.Description.KvLayout.BlockBytes);
        decode?.SetTag("serving.kv.cached_tokens", reservation.CachedTokens);
        try
        {
            if (await TransferOrFailureAsync(request, prefill, transferToken, reservation.CachedTokens, cancellationToken) is { } failure)
            {
                Log.Recomputing(logger, failure, Endpoint.WorkerId, id);
                telemetry?.Recomputed.Add(1);
                Interlocked.Increment(ref recomputed);
                Abandon(id);
                outputs = Loop.Submit(id, request.PromptTokens, request.Sampling, resume: request.Resume);
            }
        }
        catch
        {
            Abandon(id);
            throw;
        }
        // A reader that stops early (client gone) aborts the request, which frees its blocks.
        await foreach (var output in Loop.StreamAsync(id, outputs, cancellationToken))
            yield return output;
    }

    /// <summary>Runs the transfer with its retries; returns why it finally failed, or null once the request is admitted here.</summary>
    async Task<Exception?> TransferOrFailureAsync(GenerationRequest request, IPrefillService prefill, string transferToken, int cachedTokens, CancellationToken cancellationToken)
    {
        var direction = transport.Kind == KvTransportKind.GrpcPull ? "pull" : "push";
        var started = Stopwatch.GetTimestamp();
        using var transfer = WorkerTelemetry.Activities.StartActivity("kv.transfer");
        transfer?.SetTag("serving.kv.direction", direction);
        var outcome = "cancelled";
        try
        {
            await transferPipeline.ExecuteAsync(async ct => await TransferAsync(request, prefill, transferToken, cachedTokens, ct), cancellationToken);
            outcome = "ok";
            return null;
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            outcome = "failed";
            transfer?.SetStatus(ActivityStatusCode.Error, e.Message);
            return e;
        }
        finally
        {
            transfer?.SetTag("serving.kv.outcome", outcome);
            RecordTransfer(request.RequestId, direction, outcome, started);
        }
    }

    /// <summary>Stops taking KV for a request and frees the blocks reserved for it.</summary>
    void Abandon(string requestId)
    {
        inbox.Forget(requestId);
        Loop.Abort(requestId);
    }

    void RecordTransfer(string requestId, string direction, string outcome, long started)
    {
        var bytes = inbox.TakeBytes(requestId);
        if (telemetry is null)
            return;
        var tags = new TagList { { "direction", direction }, { "outcome", outcome } };
        telemetry.KvDuration.Record(Stopwatch.GetElapsedTime(started).TotalSeconds, tags);
        telemetry.KvBytes.Add(bytes, tags);
    }

    /// <summary>
    /// Has the prefill worker compute the prompt while this side receives its KV, both at once; whichever fails first
    /// decides the outcome and the other is cancelled rather than left to time out.
    /// </summary>
    async Task TransferAsync(GenerationRequest request, IPrefillService prefill, string transferToken, int cachedTokens, CancellationToken cancellationToken)
    {
        using var both = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var header = new KvTransferHeader(request.RequestId, Endpoint.WorkerId, Loop.Description.KvLayout, request.KnownTokens, transferToken, cachedTokens);
        var receive = transport.ReceiveAsync(header, inbox, prefill.Endpoint, both.Token);
        var compute = prefill.PrefillAsync(request, Endpoint, transferToken, cachedTokens, both.Token);
        var first = await Task.WhenAny(receive, compute);
        if (first.IsFaulted || first.IsCanceled)
            both.Cancel();
        try
        {
            await first;
        }
        finally
        {
            await Task.WhenAll(receive, compute).ContinueWith(_ => { }, TaskScheduler.Default);
        }
        await (first == receive ? compute : receive);
    }

    async Task<ImportReservation> ReserveAsync(GenerationRequest request, CancellationToken cancellationToken)
    {
        var wait = TimeSpan.FromMilliseconds(5);
        var started = Stopwatch.GetTimestamp();
        while (true)
        {
            if (await Loop.ReserveImportAsync(request.RequestId, request.PromptTokens, request.Sampling, request.Resume) is { } reservation)
                return reservation;
            if (Stopwatch.GetElapsedTime(started) > ReservationTimeout)
                throw new WorkerBusyException($"worker {Endpoint.WorkerId} found no KV room for request {request.RequestId} within {ReservationTimeout.TotalSeconds:0} s.");
            // No room in the pool yet: running sequences free blocks as they finish.
            await Task.Delay(wait, cancellationToken);
            wait = TimeSpan.FromTicks(Math.Min(wait.Ticks * 2, TimeSpan.FromMilliseconds(200).Ticks));
        }
    }

    static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Warning, Message = "{Worker}: KV transfer for request {RequestId} failed; recomputing its prefill locally.")]
        public static partial void Recomputing(ILogger logger, Exception e, string worker, string requestId);
    }
}
