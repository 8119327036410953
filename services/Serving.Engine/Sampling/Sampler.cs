using Serving.Engine.Scheduling;
using TorchSharp;
using static TorchSharp.torch;
using Serving.Model.Sampling;

namespace Serving.Engine.Sampling;

/// <summary>
/// Chooses each sequence's next token from its logits row. Greedy batches without penalties or logprobs take one
/// argmax on the device; anything else is done per row on the host, where every sampling option applies.
/// </summary>
internal static class Sampler
{
    public readonly record struct Result(int TokenId, TokenLogprob? Logprob);

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
        using var host = logits.cpu().contiguous();
        var all = host.data<float>().ToArray();
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
        var raw = p.Logprobs is null ? null : LogSoftmax(row);

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
        return new Result(token, raw is null ? null : Describe(raw, token, p.Logprobs!.Value));
    }

    static int Draw(Span<float> row, SamplingParams p, double u)
    {
        var t = (float)p.Temperature;
        var max = float.NegativeInfinity;
        foreach (var x in row)
            max = Math.Max(max, x);
        // Probabilities relative to the most likely token (which gets 1), at the given temperature; min-p filters first.
        var minP = (float)p.MinP;
        var probs = new float[row.Length];
        double total = 0;
        for (var i = 0; i < row.Length; i++)
        {
            var q = MathF.Exp((row[i] - max) / t);
            probs[i] = q >= minP ? q : 0;
            total += probs[i];
        }
        if (p.TopK <= 0 && p.TopP >= 1)
            return Pick(probs, u * total);

        // Only the head of the distribution can survive top-k / top-p: sort just the tokens above a threshold,
        // lowering it until the head provably holds every survivor.
        var threshold = 1e-2f;
        while (true)
        {
            var head = Head(probs, threshold, out var headMass);
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

    static int[] Head(float[] probs, float threshold, out double mass)
    {
        var head = new List<int>();
        mass = 0;
        for (var i = 0; i < probs.Length; i++)
            if (probs[i] >= threshold && probs[i] > 0)
            {
                head.Add(i);
                mass += probs[i];
            }
        var ids = head.ToArray();
        var keys = ids.Select(i => -probs[i]).ToArray();
        Array.Sort(keys, ids);
        return ids;
    }

    static int PickFromHead(int[] head, float[] probs, SamplingParams p, double total, double u)
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

    static int Pick(float[] probs, double target)
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

    static float[] LogSoftmax(ReadOnlySpan<float> row)
    {
        var max = float.NegativeInfinity;
        foreach (var x in row)
            max = Math.Max(max, x);
        double sum = 0;
        foreach (var x in row)
            sum += Math.Exp(x - max);
        var logZ = max + (float)Math.Log(sum);
        var result = new float[row.Length];
        for (var i = 0; i < row.Length; i++)
            result[i] = row[i] - logZ;
        return result;
    }

    static TokenLogprob Describe(float[] logprobs, int token, int top)
    {
        var best = new List<(int, float)>(top);
        if (top > 0)
        {
            var order = Enumerable.Range(0, logprobs.Length).OrderByDescending(i => logprobs[i]).ThenBy(i => i).Take(top);
            best.AddRange(order.Select(i => (i, logprobs[i])));
        }
        return new TokenLogprob(token, logprobs[token], best);
    }
}
