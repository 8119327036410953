using System.Collections.Concurrent;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Serving.Contracts;
using Serving.Engine.Core;
using Serving.Model.Requests;
using Serving.Model.Sampling;

namespace Serving.Worker.Runtime;

/// <summary>
/// Owns one engine and the thread that drives it. Everything that touches the engine runs on that thread: callers
/// post commands and read each request's outputs from its own channel. The loop steps while there is work and
/// sleeps on the command queue when there is none.
/// </summary>
public sealed partial class EngineLoop : IAsyncDisposable
{
    readonly LlmEngine engine;
    readonly ILogger logger;
    readonly ConcurrentQueue<Action> commands = new();
    readonly SemaphoreSlim signal = new(0);
    readonly Dictionary<string, ChannelWriter<RequestOutput>> streams = [];
    readonly Dictionary<string, Action<KvExport>> exportHandlers = [];
    readonly CancellationTokenSource stopping = new();
    readonly Thread thread;
    volatile WorkerLoad load = WorkerLoad.Empty;
    // Requests with blocks reserved for a KV import that has not completed (loop thread only); its count is published.
    readonly HashSet<string> importingIds = [];
    int importing;
    long finished;
    bool endedSincePublish;
    readonly StepTrace? trace;
    double commandSeconds;
    // Liveness: whether the loop is inside an iteration (commands or a step), and when that iteration started.
    volatile bool busy;
    long lastProgress = Stopwatch.GetTimestamp();
    long iterations;
    readonly string? hangFile;

    /// <param name="trace">Records every step (timing and what it ran); the loop disposes it.</param>
    /// <param name="hangFile">
    /// Fault injection for tests and soak runs: while this file exists, the loop hangs inside its iteration (as a hung
    /// kernel would), so what the cluster does about a stuck worker can be checked on real processes.
    /// </param>
    public EngineLoop(string name, LlmEngine engine, ILogger logger, StepTrace? trace = null, string? hangFile = null)
    {
        Name = name;
        this.hangFile = hangFile;
        this.engine = engine;
        this.trace = trace;
        Description = new EngineDescription(engine.KvLayout, engine.Config, engine.Tokenizer, engine.NumTotalBlocks);
        this.logger = logger;
        engine.KvExported = OnKvExported;
        thread = new Thread(Run) { Name = $"engine-{name}", IsBackground = true };
        thread.Start();
    }

    public string Name { get; }
    public WorkerLoad Load => load;

    /// <summary>The engine's fixed facts, for any thread; everything else about the engine is the loop thread's.</summary>
    public EngineDescription Description { get; }

    /// <summary>Iterations the loop has finished: it moves while the loop makes progress.</summary>
    public long Iterations => Interlocked.Read(ref iterations);

    /// <summary>How long the loop has been inside its current iteration; zero while it waits for work.</summary>
    public TimeSpan BusyFor => busy ? Stopwatch.GetElapsedTime(Interlocked.Read(ref lastProgress)) : TimeSpan.Zero;

    /// <summary>Requests this loop ran to their end (a held prefill, released after its first token, does not count).</summary>
    public long Finished => Interlocked.Read(ref finished);

    /// <summary>
    /// Called on the loop thread once <see cref="Load"/> shows that requests ended (finished, or a prefill handed its
    /// KV over): a heartbeat can tell the router at once instead of at its next tick. Must not block.
    /// </summary>
    public Action? RequestsEnded { get; set; }

    /// <summary>
    /// The model engine, for the members that are safe off the loop thread (<see cref="LlmEngine.RentImportBuffer"/>);
    /// everything else goes through <see cref="InvokeAsync{T}"/>, and fixed facts through <see cref="Description"/>.
    /// </summary>
    public LlmEngine Engine => engine;

    /// <summary>Runs a function on the loop thread and returns its result.</summary>
    public Task<T> InvokeAsync<T>(Func<LlmEngine, T> action)
    {
        var done = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        Post(() =>
        {
            try
            {
                done.SetResult(action(Engine));
            }
            catch (Exception e)
            {
                done.SetException(e);
            }
        });
        return done.Task;
    }

    public Task InvokeAsync(Action<LlmEngine> action) => InvokeAsync(e =>
    {
        action(e);
        return true;
    });

    /// <summary>
    /// Queues a request and returns its outputs as they are produced. With <paramref name="onKvExport"/>, the request
    /// stops after its first token and each layer group's KV is handed to the callback (on the loop thread) as it is computed.
    /// </summary>
    /// <paramref name="receiverCachedTokens"/>: with <paramref name="onKvExport"/>, the leading tokens the receiver holds, whose blocks are not exported.
    public ChannelReader<RequestOutput> Submit(string requestId, IReadOnlyList<int> prompt, SamplingParams sampling, Action<KvExport>? onKvExport = null, ResumePoint? resume = null, int receiverCachedTokens = 0)
    {
        var channel = Channel.CreateUnbounded<RequestOutput>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
        Post(() =>
        {
            try
            {
                engine.AddRequest(requestId, prompt, sampling, holdAfterPrefill: onKvExport is not null, resume, receiverCachedTokens);
                streams[requestId] = channel.Writer;
                if (onKvExport is not null)
                    exportHandlers[requestId] = onKvExport;
            }
            catch (Exception e)
            {
                channel.Writer.TryComplete(e);
            }
        });
        return channel.Reader;
    }

    /// <summary>
    /// Runs a request and streams its outputs. With <paramref name="onKvExport"/> it is a prefill for another worker:
    /// each layer group's KV goes to the callback (on the loop thread) as it is computed, and the stream ends with the
    /// first token, its blocks released. A reader that stops early (client gone, failure) aborts the request, which
    /// frees its blocks.
    /// </summary>
    public IAsyncEnumerable<RequestOutput> StreamAsync(GenerationRequest request, Action<KvExport>? onKvExport = null, CancellationToken cancellationToken = default, int receiverCachedTokens = 0) =>
        StreamAsync(request.RequestId, Submit(request.RequestId, request.PromptTokens, request.Sampling, onKvExport, request.Resume, receiverCachedTokens), held: onKvExport is not null, cancellationToken);

    /// <summary>Streams a request's outputs from its channel (one <see cref="ReserveImportAsync"/> returned), aborting it if the reader stops early.</summary>
    public IAsyncEnumerable<RequestOutput> StreamAsync(string requestId, ChannelReader<RequestOutput> outputs, CancellationToken cancellationToken = default) =>
        StreamAsync(requestId, outputs, held: false, cancellationToken);

    async IAsyncEnumerable<RequestOutput> StreamAsync(string requestId, ChannelReader<RequestOutput> outputs, bool held, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var ended = false;
        try
        {
            await foreach (var output in outputs.ReadAllAsync(cancellationToken))
            {
                ended = output.Finished;
                yield return output;
            }
            // The loop closed the stream: the request finished, or (held) its first token is out and its KV has left.
            ended = true;
        }
        finally
        {
            if (!ended)
                Abort(requestId);
            else if (held)
                Release(requestId);
        }
    }

    /// <summary>Reserves blocks for a request whose KV will be imported; its outputs start once the import completes.</summary>
    public Task<ImportReservation?> ReserveImportAsync(string requestId, IReadOnlyList<int> prompt, SamplingParams sampling, ResumePoint? resume = null, bool reuseCachedPrefix = true) =>
        InvokeAsync(e =>
        {
            if (!e.TryReserveImport(requestId, prompt, sampling, resume, reuseCachedPrefix))
                return null;
            var channel = Channel.CreateUnbounded<RequestOutput>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
            streams[requestId] = channel.Writer;
            importingIds.Add(requestId);
            Volatile.Write(ref importing, importingIds.Count);
            return new ImportReservation(channel.Reader, e.ImportCachedTokens(requestId));
        });

    /// <summary>Admits an imported request with its first token; the output goes to the request's stream.</summary>
    public Task CompleteImportAsync(string requestId, int firstToken, TokenLogprob? logprob, int? prefillCachedTokens = null) => InvokeAsync(e =>
    {
        NotImporting(requestId);
        Deliver(e.CompleteImport(requestId, firstToken, logprob, prefillCachedTokens));
    });

    // An import that completes, or a reservation aborted before it did (client gone, transfer failed, failed step).
    void NotImporting(string requestId)
    {
        if (importingIds.Remove(requestId))
            Volatile.Write(ref importing, importingIds.Count);
    }

    /// <summary>Stops a request wherever it is; its stream ends with <see cref="OperationCanceledException"/>.</summary>
    public void Abort(string requestId) => Post(() =>
    {
        if (engine.Abort(requestId))
            Log.Aborted(logger, Name, requestId);
        NotImporting(requestId);
        exportHandlers.Remove(requestId);
        if (streams.Remove(requestId, out var writer))
            writer.TryComplete(new OperationCanceledException($"request {requestId} was aborted."));
    });

    /// <summary>Frees a held request's blocks once its KV has left.</summary>
    public void Release(string requestId) => Post(() =>
    {
        exportHandlers.Remove(requestId);
        if (engine.IsHeld(requestId))
            engine.Release(requestId);
    });

    /// <summary>
    /// How long the loop has been stuck inside one iteration (a step or a command that does not return), or null when
    /// it is making progress: idle, or within <paramref name="limit"/> of the start of the iteration it is in. A loop
    /// whose thread has died is stuck for good.
    /// </summary>
    public TimeSpan? StuckFor(TimeSpan limit)
    {
        var since = Stopwatch.GetElapsedTime(Interlocked.Read(ref lastProgress));
        if (!thread.IsAlive && !stopping.IsCancellationRequested)
            return since;
        return busy && since > limit ? since : null;
    }

    void Post(Action command)
    {
        commands.Enqueue(command);
        signal.Release();
    }

    void Run()
    {
        var token = stopping.Token;
        while (!token.IsCancellationRequested)
        {
            // Stuck means stuck in this iteration: measured from its start, not from before an idle wait.
            Progressed();
            busy = true;
            var commandsStart = trace?.Now ?? 0;
            var ranCommands = false;
            while (commands.TryDequeue(out var command))
            {
                ranCommands = true;
                try
                {
                    command();
                }
                catch (Exception e)
                {
                    Log.CommandFailed(logger, e, Name);
                }
            }
            if (trace is not null)
                commandSeconds += trace.Now - commandsStart;
            // A request just added must show in the load before the step (a whole prefill can take a second): a
            // heartbeat read during the step would otherwise report the worker idle, and the router, which forgets
            // its own recent assignments at each report, would send it the next request too.
            if (ranCommands)
                PublishLoad();
            while (hangFile is not null && engine.HasUnfinishedRequests && File.Exists(hangFile) && !token.IsCancellationRequested)
                Thread.Sleep(50);
            if (engine.HasUnfinishedRequests)
                StepOnce();
            else
            {
                PublishLoad();
                busy = false;
                try
                {
                    signal.Wait(token);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
            }
        }
    }

    void Progressed()
    {
        Interlocked.Exchange(ref lastProgress, Stopwatch.GetTimestamp());
        Interlocked.Increment(ref iterations);
    }

    void StepOnce()
    {
        try
        {
            foreach (var output in trace is null ? engine.Step() : TracedStep(trace))
                Deliver(output);
        }
        catch (Exception e)
        {
            // A failed step leaves the batch in an unknown state: end every request in it rather than guess.
            Log.StepFailed(logger, e, Name);
            foreach (var (id, writer) in streams)
            {
                engine.Abort(id);
                writer.TryComplete(e);
            }
            streams.Clear();
            exportHandlers.Clear();
            importingIds.Clear();
            Volatile.Write(ref importing, 0);
        }
        PublishLoad();
    }

    IReadOnlyList<RequestOutput> TracedStep(StepTrace trace)
    {
        var start = trace.Now;
        var cpu = StepTrace.ThreadCpuSeconds();
        var outputs = engine.Step();
        var seconds = trace.Now - start;
        var cpuSeconds = StepTrace.ThreadCpuSeconds() - cpu;
        trace.Write(start, seconds, cpuSeconds, commandSeconds, engine.LastStep);
        commandSeconds = 0;
        return outputs;
    }

    void Deliver(RequestOutput output)
    {
        if (!streams.TryGetValue(output.RequestId, out var writer))
            return;
        writer.TryWrite(output);
        if (output.Finished)
            Interlocked.Increment(ref finished);
        if (output.Finished || output.NewTokenIds.Count > 0 && engine.IsHeld(output.RequestId))
        {
            writer.TryComplete();
            streams.Remove(output.RequestId);
            endedSincePublish = true;
        }
    }

    void OnKvExported(KvExport export)
    {
        if (exportHandlers.TryGetValue(export.RequestId, out var handler))
            handler(export);
        else
            export.Dispose();
    }

    void PublishLoad()
    {
        load = new WorkerLoad(engine.NumWaiting, engine.NumRunning, Volatile.Read(ref importing), engine.NumFreeBlocks, engine.NumTotalBlocks, engine.NumPendingPrefillTokens);
        if (endedSincePublish)
        {
            endedSincePublish = false;
            RequestsEnded?.Invoke();
        }
    }

    public async ValueTask DisposeAsync()
    {
        stopping.Cancel();
        await Task.Run(thread.Join);
        foreach (var writer in streams.Values)
            writer.TryComplete(new ObjectDisposedException(Name));
        engine.Dispose();
        trace?.Dispose();
        stopping.Dispose();
        signal.Dispose();
    }

    static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Information, Message = "{Worker}: request {RequestId} aborted; its KV blocks are free.")]
        public static partial void Aborted(ILogger logger, string worker, string requestId);

        [LoggerMessage(Level = LogLevel.Error, Message = "{Worker}: a command on the engine thread failed.")]
        public static partial void CommandFailed(ILogger logger, Exception e, string worker);

        [LoggerMessage(Level = LogLevel.Error, Message = "{Worker}: engine step failed; every request in flight was ended.")]
        public static partial void StepFailed(ILogger logger, Exception e, string worker);
    }
}
