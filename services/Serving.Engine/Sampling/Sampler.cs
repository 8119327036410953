using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using Serving.Engine.Scheduling;
using TorchSharp;
using static TorchSharp.torch;
using Serving.Model.Sampling;

namespace Serving.Engine.Sampling;

/// <summary>
/// Chooses each sequence's next token from its logits row. Greedy batches without penalties or logprobs take one
/// argmax on the device; anything else is done per row on the host, where every sampling option applies.
/// </summary>
/// <remarks>
/// The host side works in buffers kept per thread (each engine samples on its own loop thread) and reused from step
/// to step: a vocabulary-sized row is 200 KB at 50k tokens, over the large-object threshold, and allocating rows
/// per step made the runtime collect generation 2 about once a second under a mixed load (seen in the soak run).
/// </remarks>
internal static class Sampler
{
    public readonly record struct Result(int TokenId, TokenLogprob? Logprob);

    [ThreadStatic] static float[]? hostLogits;
    [ThreadStatic] static float[]? probabilities;
    [ThreadStatic] static float[]? logprobBuffer;

    /// <summary>A buffer of at least <paramref name="length"/> elements, reused by this thread's later calls.</summary>
    static float[] Scratch(ref float[]? buffer, int length) =>
        buffer is { } b && b.Length >= length ? b : buffer = new float[length];

    public static Result[] Sample(Tensor logits, IReadOnlyList<Sequence> seqs, IReadOnlySet<int> eosTokenIds)
    {
        var results = new Result[seqs.Count];
        if (seqs.All(IsPlainGreedy))
        {
            if (ArgMaxColumns(logits, results))
                return results;
            using var ids = logits.argmax(1, false).cpu();
            var data = ids.data<long>();
            for (var i = 0; i < seqs.Count; i++)
                results[i] = new Result((int)data[i], null);
            return results;
        }

        var vocab = (int)logits.shape[1];
        using var host = logits.to(ScalarType.Float32).cpu().contiguous();
        var all = Scratch(ref hostLogits, seqs.Count * vocab);
        MemoryMarshal.Cast<byte, float>(host.bytes).CopyTo(all);
        for (var i = 0; i < seqs.Count; i++)
            results[i] = SampleRow(all.AsSpan(i * vocab, vocab), seqs[i], eosTokenIds);
        return results;
    }

    /// <summary>
    /// Greedy tokens of float32 CPU logits that are the transpose of a contiguous [vocab, rows] tensor (what the CPU
    /// LM head returns), for 8 rows or more: one pass down the vocabulary, eight rows per vector, the first maximum
    /// kept as libtorch's argmax keeps it. libtorch's argmax along the strided axis took 1.0–1.6 ms at 32 rows.
    /// </summary>
    static bool ArgMaxColumns(Tensor logits, Result[] results)
    {
        var rows = (int)logits.shape[0];
        var width = Vector256<int>.Count;
        if (!Vector256.IsHardwareAccelerated || rows < width || logits.device_type != DeviceType.CPU || logits.dtype != ScalarType.Float32
            || logits.stride(0) != 1 || logits.stride(1) != rows)
            return false;
        // Those strides make the transpose a contiguous [vocab, rows] tensor.
        using var columns = logits.t();
        var vocab = (int)logits.shape[1];
        var data = MemoryMarshal.Cast<byte, float>(columns.bytes);
        ref var first = ref MemoryMarshal.GetReference(data);
        // Groups of eight rows; a last group that would overhang starts at rows − 8 and repeats some rows.
        for (var start = 0; start < rows; start += width)
        {
            var at = Math.Min(start, rows - width);
            var best = Vector256.Create(float.NegativeInfinity);
            var index = Vector256<int>.Zero;
            for (var v = 0; v < vocab; v++)
            {
                var x = Vector256.LoadUnsafe(ref first, (nuint)((long)v * rows + at));
                var greater = Vector256.GreaterThan(x, best);
                best = Vector256.ConditionalSelect(greater, x, best);
                index = Vector256.ConditionalSelect(greater.AsInt32(), Vector256.Create(v), index);
            }
            for (var r = 0; r < width; r++)
                results[at + r] = new Result(index[r], null);
        }
        return true;
    }

    static bool IsPlainGreedy(Sequence s) =>
        s.Sampling.IsGreedy && !s.Sampling.HasPenalties && s.Sampling.Logprobs is null && !BelowMinTokens(s);

    static bool BelowMinTokens(Sequence s) => s.OutputLength < s.Sampling.MinTokens;

    static Result SampleRow(Span<float> row, Sequence seq, IReadOnlySet<int> eosTokenIds)
    {
        var p = seq.Sampling;
        var raw = p.Logprobs is null ? Span<float>.Empty : LogSoftmax(row, Scratch(ref logprobBuffer, row.Length).AsSpan(0, row.Length));

        if (p.RepetitionPenalty != 1.0)
        {
            var r = (float)p.RepetitionPenalty;
            foreach (var t in seq.Tokens.Distinct())
                row[t] = row[t] > 0 ? row[t] / r : row[t] * r;
        }
        if (p.PresencePenalty != 0 || p.FrequencyPenalty != 0)
        {
            foreach (var (t, count) in seq.OutputCounts)
                row[t] -= (float)(p.FrequencyPenalty * count + p.PresencePenalty);
        }
        if (BelowMinTokens(seq))
        {
            if (!p.IgnoreEos)
                foreach (var t in eosTokenIds)
                    row[t] = float.NegativeInfinity;
            foreach (var t in p.StopTokenIds)
                row[t] = float.NegativeInfinity;
        }

        var token = p.IsGreedy ? ArgMax(row) : Draw(row, p, SequenceRandom(seq));
        return new Result(token, p.Logprobs is { } top ? Describe(raw, token, top) : null);
    }

    static int Draw(Span<float> row, SamplingParams p, double u)
    {
        var t = (float)p.Temperature;
        var max = float.NegativeInfinity;
        foreach (var x in row)
            max = Math.Max(max, x);
        // Probabilities relative to the most likely token (which gets 1), at the given temperature; min-p filters first.
        var minP = (float)p.MinP;
        var n = row.Length;
        var probs = Scratch(ref probabilities, n);
        double total = 0;
        var i = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            // Eight at a time; each group's sum is added in double, as the tail's terms are.
            ref var x0 = ref MemoryMarshal.GetReference(row);
            Vector256<float> vmax = Vector256.Create(max), vt = Vector256.Create(t), vmin = Vector256.Create(minP);
            for (; i + Vector256<float>.Count <= n; i += Vector256<float>.Count)
            {
                var q = Vector256.Exp((Vector256.LoadUnsafe(ref x0, (nuint)i) - vmax) / vt);
                q = Vector256.ConditionalSelect(Vector256.GreaterThanOrEqual(q, vmin), q, Vector256<float>.Zero);
                q.StoreUnsafe(ref probs[0], (nuint)i);
                total += Vector256.Sum(q);
            }
        }
        for (; i < n; i++)
        {
            var q = MathF.Exp((row[i] - max) / t);
            probs[i] = q >= minP ? q : 0;
            total += probs[i];
        }
        return Pick(probs, n, total, p, u);
    }

    /// <summary>Draws from probabilities relative to the most likely token (zeros for tokens min-p cut) with their sum.</summary>
    internal static int Pick(float[] probs, int n, double total, SamplingParams p, double u)
    {
        if (p.TopK <= 0 && p.TopP >= 1)
            return Pick(probs.AsSpan(0, n), u * total);

        // Only the most likely tokens can survive top-k and top-p: walk them in descending order, up to the cuts.
        var order = DescendingOrder.ForThread;
        order.Build(probs, n);
        var keep = p.TopK > 0 ? Math.Min(p.TopK, order.Count) : order.Count;
        var kept = p.TopK > 0 ? order.Walk(double.PositiveInfinity, keep).Sum : total;
        if (p.TopP < 1)
        {
            (keep, kept) = order.Walk(p.TopP * kept, keep);
            keep = Math.Max(1, keep);
        }
        var (walked, _) = order.Walk(u * kept, keep);
        return order.At(Math.Max(walked, 1) - 1);
    }

    static int Pick(ReadOnlySpan<float> probs, double target)
    {
        double acc = 0;
        var last = 0;
        for (var i = 0; i < probs.Length; i++)
        {
            if (probs[i] <= 0)
                continue;
            acc += probs[i];
            last = i;
            if (acc >= target)
                return i;
        }
        return last;
    }

    /// <summary>A uniform draw that depends only on the seed and the output position, so a request resumed elsewhere draws the same.</summary>
    static double SequenceRandom(Sequence seq)
    {
        var x = (ulong)seq.Seed + 0x9E3779B97F4A7C15UL * (ulong)(seq.OutputLength + 1);
        x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9UL;
        x = (x ^ (x >> 27)) * 0x94D049BB133111EBUL;
        x ^= x >> 31;
        return (x >> 11) * (1.0 / (1UL << 53));
    }

    static int ArgMax(ReadOnlySpan<float> row)
    {
        var best = 0;
        for (var i = 1; i < row.Length; i++)
            if (row[i] > row[best])
                best = i;
        return best;
    }

    /// <summary>Writes the row's log-probabilities into <paramref name="result"/> (the row's length) and returns it.</summary>
    static Span<float> LogSoftmax(ReadOnlySpan<float> row, Span<float> result)
    {
        var max = float.NegativeInfinity;
        foreach (var x in row)
            max = Math.Max(max, x);
        double sum = 0;
        var i0 = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            ref var x0 = ref MemoryMarshal.GetReference(row);
            var vmax = Vector256.Create(max);
            for (; i0 + Vector256<float>.Count <= row.Length; i0 += Vector256<float>.Count)
                sum += Vector256.Sum(Vector256.Exp(Vector256.LoadUnsafe(ref x0, (nuint)i0) - vmax));
        }
        for (; i0 < row.Length; i0++)
            sum += Math.Exp(row[i0] - max);
        var logZ = max + (float)Math.Log(sum);
        for (var i = 0; i < row.Length; i++)
            result[i] = row[i] - logZ;
        return result;
    }

    /// <summary>The chosen token's log-probability and the <paramref name="top"/> most likely (ties: lower id first), found in one pass.</summary>
    static TokenLogprob Describe(ReadOnlySpan<float> logprobs, int token, int top)
    {
        // The best so far, best first; a token enters only if it beats the last kept one (strictly: lower ids win ties).
        var best = new List<(int, float)>(top + 1);
        for (var i = 0; i < logprobs.Length && top > 0; i++)
        {
            var x = logprobs[i];
            if (best.Count == top && !(x > best[^1].Item2))
                continue;
            var at = best.Count;
            while (at > 0 && x > best[at - 1].Item2)
                at--;
            best.Insert(at, (i, x));
            if (best.Count > top)
                best.RemoveAt(top);
        }
        return new TokenLogprob(token, logprobs[token], best);
    }
}
