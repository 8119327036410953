using Serving.Planning.Model;

namespace Serving.Planning.Simulation;

/// <summary>The state and event loop of one simulation; see <see cref="Simulator"/>.</summary>
internal sealed class SimulationRun
{
    private readonly ClusterConfig config;
    private readonly WorkerProfile profile;
    private readonly RequestState[] requests;
    private readonly PrefillWorkerState[] prefill;
    private readonly DecodeWorkerState[] decode;
    private readonly PriorityQueue<SimEvent, (double Time, long Sequence)> events = new();
    private readonly bool[] prefillToStart;
    private readonly bool[] decodeToStart;
    private long sequence;
    private long assignments;
    private double now;

    public SimulationRun(ClusterConfig config, WorkerProfile profile, IReadOnlyList<SimRequest> requests)
    {
        this.config = config;
        this.profile = profile;
        this.requests = requests.Select(r => new RequestState(r)).ToArray();
        prefill = Enumerable.Range(0, config.PrefillWorkers).Select(_ => new PrefillWorkerState()).ToArray();
        // Decode and mixed workers run the same loop; they differ only in which prompts routing gives them.
        decode = Enumerable.Range(0, config.DecodeWorkers + config.MixedWorkers).Select(_ => new DecodeWorkerState()).ToArray();
        prefillToStart = new bool[prefill.Length];
        decodeToStart = new bool[decode.Length];
    }

    public SimulationResult Run()
    {
        foreach (var r in requests) Schedule(r.Request.ArrivalTime, new SimEvent(EventKind.Arrival, -1, r));
        while (events.TryPeek(out _, out var next))
        {
            // Handle everything that happens at this instant before starting work, so simultaneous arrivals batch together.
            now = next.Time;
            while (events.TryPeek(out var e, out var at) && at.Time == now)
            {
                events.Dequeue();
                switch (e.Kind)
                {
                    case EventKind.Arrival: OnArrival(e.Request!); break;
                    case EventKind.PrefillDone: OnPrefillDone(e.Worker); break;
                    case EventKind.TransferDone: OnTransferDone(e.Worker, e.Request!); break;
                    case EventKind.IterationDone: OnIterationDone(e.Worker); break;
                }
            }
            StartMarkedWorkers();
        }
        return new SimulationResult(requests.Select(Outcome).ToArray(), requests.Length == 0 ? 0 : requests.Max(r => r.FinishTime));
    }

    private void StartMarkedWorkers()
    {
        for (var i = 0; i < prefill.Length; i++)
            if (prefillToStart[i]) { prefillToStart[i] = false; TryStartPrefill(i); }
        for (var i = 0; i < decode.Length; i++)
            if (decodeToStart[i]) { decodeToStart[i] = false; TryStartIteration(i); }
    }

    private void Schedule(double time, SimEvent e) => events.Enqueue(e, (time, sequence++));

    private void OnArrival(RequestState r)
    {
        // As the router's prefix-aware policy: what the decode worker would have to compute is what counts as short.
        if (prefill.Length > 0 && r.UncachedPromptTokens > config.ShortPromptThreshold)
        {
            var p = 0;
            for (var i = 1; i < prefill.Length; i++)
                if (prefill[i].PendingTokens < prefill[p].PendingTokens) p = i;
            prefill[p].Queue.Enqueue(r);
            prefill[p].PendingTokens += r.ComputeTokens;
            prefillToStart[p] = true;
            return;
        }
        var d = AssignDecode();
        decode[d].PrefillQueue.AddLast(r);
        decodeToStart[d] = true;
    }

    private void TryStartPrefill(int index)
    {
        var w = prefill[index];
        if (w.Busy || w.Queue.Count == 0) return;
        long tokens = 0;
        var sumSquares = 0.0;
        while (w.Queue.Count > 0)
        {
            var r = w.Queue.Peek();
            var t = r.ComputeTokens;
            if (w.Batch.Count > 0 && tokens + t > config.MaxBatchedPrefillTokens) break;
            w.Batch.Add(w.Queue.Dequeue());
            tokens += t;
            sumSquares += r.ComputeSquares;
        }
        Schedule(now + profile.Prefill.Time(tokens, sumSquares, w.Batch.Count), new SimEvent(EventKind.PrefillDone, index, null));
    }

    private void OnPrefillDone(int index)
    {
        var w = prefill[index];
        foreach (var r in w.Batch)
        {
            w.PendingTokens -= r.ComputeTokens;
            r.Generated = 1;
            var d = AssignDecode();
            // Delta transfer: the decode worker holds the cached prefix and takes only the rest.
            Schedule(now + profile.Transfer.Time(r.UncachedPromptTokens), new SimEvent(EventKind.TransferDone, d, r));
        }
        w.Batch.Clear();
        prefillToStart[index] = true;
    }

    private void OnTransferDone(int index, RequestState r)
    {
        // The first token reaches the client with the handoff, when the decode worker has the KV.
        r.FirstTokenTime = now;
        r.LastTokenTime = now;
        if (r.IsFinished)
        {
            Finish(decode[index], r);
            return;
        }
        decode[index].Waiting.Enqueue(r);
        decodeToStart[index] = true;
    }

    private void TryStartIteration(int index)
    {
        var w = decode[index];
        if (w.Busy) return;
        AdmitTransferred(w);
        if (Chunked)
        {
            // As the engine: room for the decodes first (partly prefilled prompts are the first victims), then the
            // chunks — new prompts only when nothing was preempted, unless the worker would otherwise stand idle.
            var preempted = PreemptForGrowth(w);
            FormChunks(w, admit: !preempted || (w.Running.Count == 0 && w.Chunking.Count == 0));
        }
        else
        {
            if (w.PrefillBatch.Count == 0) FormPrefillBatch(w);
            PreemptForGrowth(w);
            // A lone request that outgrew the cache was just preempted: recompute it now (or drop it if it can never fit).
            if (w.Running.Count == 0 && w.PrefillBatch.Count == 0) FormPrefillBatch(w);
        }
        // Dropping it emptied the cache: transferred requests that waited for room fit now (else nothing would restart this worker).
        if (w.Running.Count == 0 && !Prefilling(w)) AdmitTransferred(w);
        if (w.Running.Count == 0 && !Prefilling(w)) return;

        var duration = 0.0;
        if (w.Running.Count > 0)
        {
            long context = 0;
            foreach (var r in w.Running) context += r.Context;
            duration += profile.Decode.Time(w.Running.Count, context);
        }
        if (w.PrefillBatch.Count > 0)
            duration += profile.PrefillGroupTime(w.PrefillBatchTokens, w.PrefillBatchSumSquares, w.PrefillBatch.Count, config.LayerGroups);
        if (w.Chunks.Count > 0)
            duration += profile.Prefill.Time(w.PrefillBatchTokens, w.PrefillBatchSumSquares, w.Chunks.Count);
        w.Busy = true;
        Schedule(now + duration, new SimEvent(EventKind.IterationDone, index, null));
    }

    private void AdmitTransferred(DecodeWorkerState w)
    {
        while (w.Waiting.Count > 0 && w.BatchCount < config.MaxDecodeBatch)
        {
            var r = w.Waiting.Peek();
            if (w.UsedKv + r.Context + w.Running.Count + 1 > config.KvCapacityTokens)
            {
                if (w.BatchCount > 0) break;
                Drop(w, w.Waiting.Dequeue());
                continue;
            }
            w.Running.Add(w.Waiting.Dequeue());
            w.UsedKv += r.Context;
        }
    }

    private void FormPrefillBatch(DecodeWorkerState w)
    {
        long tokens = 0;
        var sumSquares = 0.0;
        while (w.PrefillQueue.First is { } node && w.BatchCount < config.MaxDecodeBatch)
        {
            var t = node.Value.ComputeTokens;
            if (w.PrefillBatch.Count > 0 && tokens + t > config.MaxBatchedPrefillTokens) break;
            if (!TryAdmitFirst(w, out var r)) break;
            if (r is null) continue;
            w.PrefillBatch.Add(r);
            tokens += t;
            sumSquares += r.ComputeSquares;
        }
        w.PrefillBatchTokens = tokens;
        w.PrefillBatchSumSquares = sumSquares;
        w.GroupsDone = 0;
    }

    // Takes the first queued prompt into the worker's KV when there is room for it, its first token and one more token
    // for every request in the batch (admitted is then the prompt); a prompt that cannot fit even alone is dropped
    // (admitted null). False when the prompt has to wait.
    private bool TryAdmitFirst(DecodeWorkerState w, out RequestState? admitted)
    {
        var r = w.PrefillQueue.First!.Value;
        admitted = null;
        if (w.UsedKv + r.PrefillTokens + 1 + w.BatchCount > config.KvCapacityTokens)
        {
            if (w.BatchCount > 0) return false;
            w.PrefillQueue.RemoveFirst();
            Drop(w, r);
            return true;
        }
        w.PrefillQueue.RemoveFirst();
        w.UsedKv += r.PrefillTokens;
        admitted = r;
        return true;
    }

    private bool Chunked => config.PrefillChunkTokens > 0;

    private static bool Prefilling(DecodeWorkerState w) => w.PrefillBatch.Count > 0 || w.Chunks.Count > 0;

    // This iteration's chunks, as the engine schedules them: prompts part way through go on first, then new prompts are
    // admitted (KV for the whole prompt) while the budget lasts, the last one perhaps cut short. A chunk from token p to
    // p + c costs its c tokens and the attention of those rows over p + c keys: (p + c)² − p² of a whole prompt's len².
    // A prompt's chunks start after its cached prefix.
    private void FormChunks(DecodeWorkerState w, bool admit)
    {
        w.Chunks.Clear();
        long budget = config.PrefillChunkTokens, tokens = 0;
        var sumSquares = 0.0;
        void Take(RequestState r)
        {
            var c = Math.Min(r.PrefillTokens - r.Prefilled, budget);
            w.Chunks.Add((r, c));
            budget -= c;
            tokens += c;
            sumSquares += (double)(r.Prefilled + c) * (r.Prefilled + c) - (double)r.Prefilled * r.Prefilled;
        }
        foreach (var r in w.Chunking)
        {
            if (budget <= 0) break;
            Take(r);
        }
        while (admit && budget > 0 && w.PrefillQueue.First is not null && w.BatchCount < config.MaxDecodeBatch)
        {
            if (!TryAdmitFirst(w, out var r)) break;
            if (r is null) continue;
            w.Chunking.Add(r);
            r.Prefilled = r.Cached;
            Take(r);
        }
        w.PrefillBatchTokens = tokens;
        w.PrefillBatchSumSquares = sumSquares;
    }

    // Each running request adds a token this iteration; without room the newest is preempted and recomputed later
    // (vLLM's policy) — with chunked prefill, partly prefilled prompts first, as the engine's scheduler does. Returns
    // whether anything was preempted.
    private bool PreemptForGrowth(DecodeWorkerState w)
    {
        var completing = w.PrefillBatch.Count > 0 && w.GroupsDone + 1 >= config.LayerGroups ? w.PrefillBatch.Count : 0;
        var preempted = false;
        while (w.Running.Count > 0 && w.UsedKv + w.Running.Count + completing > config.KvCapacityTokens)
        {
            RequestState r;
            if (w.Chunking.Count > 0)
            {
                r = w.Chunking[^1];
                w.Chunking.RemoveAt(w.Chunking.Count - 1);
                w.UsedKv -= r.PrefillTokens; // a chunking prompt holds blocks for all of it
            }
            else
            {
                r = w.Running[^1];
                w.Running.RemoveAt(w.Running.Count - 1);
                w.UsedKv -= r.Context;
            }
            r.Preemptions++;
            w.PrefillQueue.AddFirst(r);
            preempted = true;
        }
        return preempted;
    }

    private void OnIterationDone(int index)
    {
        var w = decode[index];
        w.Busy = false;
        var kept = 0;
        for (var i = 0; i < w.Running.Count; i++)
        {
            var r = w.Running[i];
            r.Generated++;
            r.TokenAt(now);
            w.UsedKv++;
            if (r.IsFinished)
            {
                w.UsedKv -= r.Context;
                Finish(w, r);
            }
            else
            {
                w.Running[kept++] = r;
            }
        }
        w.Running.RemoveRange(kept, w.Running.Count - kept);

        if (w.PrefillBatch.Count > 0 && ++w.GroupsDone >= config.LayerGroups)
        {
            foreach (var r in w.PrefillBatch) EndPrefill(w, r);
            w.PrefillBatch.Clear();
        }
        foreach (var (r, tokens) in w.Chunks)
        {
            r.Prefilled += tokens;
            if (r.Prefilled < r.PrefillTokens) continue;
            w.Chunking.Remove(r);
            EndPrefill(w, r);
        }
        w.Chunks.Clear();
        decodeToStart[index] = true;
    }

    // A prefill (or a recompute after preemption) ends by sampling the next token.
    private void EndPrefill(DecodeWorkerState w, RequestState r)
    {
        r.Generated++;
        w.UsedKv++;
        if (double.IsNaN(r.FirstTokenTime)) r.FirstTokenTime = now;
        r.TokenAt(now);
        if (r.IsFinished)
        {
            w.UsedKv -= r.Context;
            Finish(w, r);
        }
        else
        {
            w.Running.Add(r);
        }
    }

    // The router's least-loaded policy: fewest requests in hand, ties to the worker given one longest ago.
    private int AssignDecode()
    {
        var best = 0;
        for (var i = 1; i < decode.Length; i++)
            if (decode[i].Assigned < decode[best].Assigned
                || (decode[i].Assigned == decode[best].Assigned && decode[i].LastAssigned < decode[best].LastAssigned))
                best = i;
        decode[best].Assigned++;
        decode[best].LastAssigned = ++assignments;
        return best;
    }

    private void Finish(DecodeWorkerState w, RequestState r)
    {
        r.FinishTime = now;
        w.Assigned--;
    }

    private void Drop(DecodeWorkerState w, RequestState r)
    {
        r.Dropped = true;
        Finish(w, r);
    }

    private static RequestOutcome Outcome(RequestState r)
    {
        var q = r.Request;
        if (double.IsNaN(r.FinishTime))
            throw new InvalidOperationException($"The simulation left request {q.Id} unfinished.");
        if (r.Dropped)
            return new RequestOutcome(q.Id, q.PromptTokens, q.OutputTokens, double.PositiveInfinity, double.PositiveInfinity, double.PositiveInfinity, double.PositiveInfinity, r.Preemptions, false);
        var ttft = r.FirstTokenTime - q.ArrivalTime;
        var e2e = r.FinishTime - q.ArrivalTime;
        var tpot = q.OutputTokens > 1 ? (e2e - ttft) / (q.OutputTokens - 1) : 0;
        return new RequestOutcome(q.Id, q.PromptTokens, q.OutputTokens, ttft, tpot, e2e, r.MaxTokenGap, r.Preemptions, true);
    }
}
