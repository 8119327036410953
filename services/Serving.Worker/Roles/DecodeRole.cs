using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Polly;
using Serving.Engine.Engine;
using Serving.Worker.Runtime;
using Serving.Worker.Telemetry;
using Serving.Worker.Transfer;

namespace Serving.Worker.Roles;

/// <summary>
/// The decode side of disaggregation: reserves KV blocks first, has a prefill worker push the prompt's KV into them,
/// then continues the request in its continuous batch. When the transfer finally fails, it recomputes the prefill
/// itself, so the client still gets the right output.
/// </summary>
public sealed partial class DecodeRole(EngineLoop loop, KvInbox inbox, KvEndpoint endpoint, ResiliencePipeline transferPipeline, ILogger logger, GrpcKvTransport? puller = null, WorkerTelemetry? telemetry = null)
{
    int recomputed;

    public EngineLoop Loop { get; } = loop;
    public KvEndpoint Endpoint { get; } = endpoint;

    /// <summary>Requests whose transfer finally failed and whose prefill this worker recomputed.</summary>
    public int Recomputed => Volatile.Read(ref recomputed);

    public async IAsyncEnumerable<RequestOutput> GenerateAsync(
        GenerationRequest request, IPrefillService prefill, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        request = request.WithResolvedSeed();
        var id = request.RequestId;
        var finished = false;
        using var decode = WorkerTelemetry.Activities.StartActivity("decode");
        decode?.SetTag("serving.request_id", id);
        decode?.SetTag("serving.worker", Endpoint.WorkerId);
        try
        {
            var outputs = await ReserveAsync(request, cancellationToken);
            inbox.Expect(id);
            Exception? transferFailure = null;
            var direction = prefill.PullAddress is not null && puller is not null ? "pull" : "push";
            var started = Stopwatch.GetTimestamp();
            using (var transfer = WorkerTelemetry.Activities.StartActivity("kv.transfer"))
            {
                transfer?.SetTag("serving.kv.direction", direction);
                var outcome = "cancelled";
                try
                {
                    await transferPipeline.ExecuteAsync(async ct => await TransferAsync(request, prefill, ct), cancellationToken);
                    outcome = "ok";
                }
                catch (Exception e) when (!cancellationToken.IsCancellationRequested)
                {
                    outcome = "failed";
                    transfer?.SetStatus(ActivityStatusCode.Error, e.Message);
                    transferFailure = e;
                }
                finally
                {
                    transfer?.SetTag("serving.kv.outcome", outcome);
                    RecordTransfer(id, direction, outcome, started);
                }
            }
            if (transferFailure is { } failure)
            {
                Log.Recomputing(logger, failure, Endpoint.WorkerId, id);
                telemetry?.Recomputed.Add(1);
                Interlocked.Increment(ref recomputed);
                inbox.Forget(id);
                Loop.Abort(id);
                outputs = Loop.Submit(id, request.PromptTokens, request.Sampling, resume: request.Resume);
            }

            await foreach (var output in outputs.ReadAllAsync(cancellationToken))
            {
                finished = output.Finished;
                yield return output;
            }
        }
        finally
        {
            if (!finished)
            {
                // Client gone or failure: stop accepting KV for it and free whatever it holds.
                inbox.Forget(id);
                Loop.Abort(id);
            }
        }
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

    /// <summary>Has the prefill worker compute the prompt and its KV land here: pushed to us, or pulled by us.</summary>
    async Task TransferAsync(GenerationRequest request, IPrefillService prefill, CancellationToken cancellationToken)
    {
        if (prefill.PullAddress is not { } address || puller is null)
        {
            await prefill.PrefillAsync(request, Endpoint, cancellationToken);
            return;
        }
        using var both = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var header = new KvTransferHeader(request.RequestId, Endpoint.WorkerId, Loop.Engine.KvLayout, request.KnownTokens);
        var pull = puller.PullAsync(address, header, inbox, both.Token);
        var compute = prefill.PrefillAsync(request, Endpoint, both.Token);
        // Whichever side fails first decides the outcome; the other is cancelled rather than left to time out.
        var first = await Task.WhenAny(pull, compute);
        if (first.IsFaulted || first.IsCanceled)
            both.Cancel();
        try
        {
            await first;
        }
        finally
        {
            await Task.WhenAll(pull, compute).ContinueWith(_ => { }, TaskScheduler.Default);
        }
        await (first == pull ? compute : pull);
    }

    async Task<ChannelReader<RequestOutput>> ReserveAsync(GenerationRequest request, CancellationToken cancellationToken)
    {
        var wait = TimeSpan.FromMilliseconds(5);
        while (true)
        {
            if (await Loop.ReserveImportAsync(request.RequestId, request.PromptTokens, request.Sampling, request.Resume) is { } outputs)
                return outputs;
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
