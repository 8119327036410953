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
    [ThreadStatic] static int[]? headIds;
    [ThreadStatic] static float[]? headKeys;

    /// <summary>A buffer of at least <paramref name="length"/> elements, reused by this thread's later calls.</summary>
    static float[] Scratch(ref float[]? buffer, int length) =>
        buffer is { } b && b.Length >= length ? b : buffer = new float[length];

    public static Result[] Sample(Tensor logits, IReadOnlyList<Sequence> seqs, IReadOnlySet<int> eosTokenIds)
    {
        var results = new Result[seqs.Count];
        if (seqs.All(IsPlainGreedy))
        {
            using var ids = logits.argmax(1, false).cpu();
            var data = ids.data<long>();
            for (var i = 0; i < seqs.Count; i++)
                results[i] = new Result((int)data[i], null);
            return results;
        }

        var vocab = (int)logits.shape[1];
        using var host = logits.to(ScalarType.Float32).cpu().contiguous();
        var all = Scratch(ref hostLogits, seqs.Count * vocab);
        System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(host.bytes).CopyTo(all);
        for (var i = 0; i < seqs.Count; i++)
            results[i] = SampleRow(all.AsSpan(i * vocab, vocab), seqs[i], eosTokenIds);
        return results;
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
        for (var i = 0; i < n; i++)
        {
            var q = MathF.Exp((row[i] - max) / t);
            probs[i] = q >= minP ? q : 0;
            total += probs[i];
        }
        if (p.TopK <= 0 && p.TopP >= 1)
            return Pick(probs.AsSpan(0, n), u * total);

        // Only the head of the distribution can survive top-k / top-p: sort just the tokens above a threshold,
        // lowering it until the head provably holds every survivor.
        var threshold = 1e-2f;
        while (true)
        {
            var head = Head(probs, n, threshold, out var headMass);
            var complete = threshold <= minP || threshold < 1e-30f;
            // With top-k, the k most likely tokens are all in a head of at least k; without it, top-p's cut lies in a
            // head holding at least top_p of the mass.
            if (!complete)
                complete = p.TopK > 0 ? head.Length >= p.TopK : headMass >= p.TopP * total;
            if (complete)
                return PickFromHead(head, probs, p, total, u);
            threshold /= 100;
        }
    }

    /// <summary>The tokens at or above <paramref name="threshold"/>, most likely first (in this thread's reused buffer).</summary>
    static ReadOnlySpan<int> Head(float[] probs, int n, float threshold, out double mass)
    {
        var ids = headIds is { } b && b.Length >= n ? b : headIds = new int[n];
        var keys = Scratch(ref headKeys, n);
        var count = 0;
        mass = 0;
        for (var i = 0; i < n; i++)
            if (probs[i] >= threshold && probs[i] > 0)
            {
                ids[count] = i;
                keys[count++] = -probs[i];
                mass += probs[i];
            }
        Array.Sort(keys, ids, 0, count);
        return ids.AsSpan(0, count);
    }

    static int PickFromHead(ReadOnlySpan<int> head, float[] probs, SamplingParams p, double total, double u)
    {
        var keep = p.TopK > 0 ? Math.Min(p.TopK, head.Length) : head.Length;
        var kept = total;
        if (p.TopK > 0)
        {
            kept = 0;
            for (var i = 0; i < keep; i++)
                kept += probs[head[i]];
        }
        if (p.TopP < 1)
        {
            double cum = 0;
            var n = 0;
            while (n < keep && cum < p.TopP * kept)
                cum += probs[head[n++]];
            keep = Math.Max(1, n);
            kept = cum;
        }
        var target = u * kept;
        double acc = 0;
        for (var i = 0; i < keep; i++)
        {
            acc += probs[head[i]];
            if (acc >= target)
                return head[i];
        }
        return head[keep - 1];
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
        foreach (var x in row)
            sum += Math.Exp(x - max);
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
