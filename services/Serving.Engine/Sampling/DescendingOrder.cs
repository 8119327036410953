namespace Serving.Engine.Sampling;

/// <summary>
/// The tokens of a probability row in descending order (ties: lower id first), walked without sorting the vocabulary.
/// A counting sort on the top bits of each probability's float encoding puts the tokens into about 16,000 buckets
/// (each spanning under 1% of a value), in order; a walk skips whole buckets by their mass and sorts only the buckets
/// it stops in. Top-p and top-k need the order only up to their cut, so a step sorts a few dozen tokens instead of the
/// whole head. On the default model's near-flat distribution a full sort of the head (most of the 50,257 tokens) was
/// two-thirds of a sampled row's time.
/// </summary>
/// <remarks>One per thread, reused (each engine samples on its own loop thread); valid until the next <see cref="Build"/>.</remarks>
internal sealed class DescendingOrder
{
    // Probabilities relative to the most likely token lie in (0, 1]. For positive floats the bit pattern grows with
    // the value; its top 16 bits (exponent and 7 mantissa bits) are the bucket.
    const int Shift = 16;
    static readonly int Buckets = (BitConverter.SingleToInt32Bits(1f) >> Shift) + 1;

    [ThreadStatic] static DescendingOrder? current;

    readonly int[] counts = new int[Buckets];
    readonly double[] masses = new double[Buckets];
    readonly int[] starts = new int[Buckets];
    readonly int[] fill = new int[Buckets];
    readonly int[] sortedIn = new int[Buckets];
    int[] order = [];
    float[] probs = [];
    int build;

    /// <summary>This thread's instance.</summary>
    public static DescendingOrder ForThread => current ??= new DescendingOrder();

    /// <summary>Orders the positive entries of <paramref name="probabilities"/> (at most 1 each; zeros are left out).</summary>
    public void Build(float[] probabilities, int n)
    {
        probs = probabilities;
        if (order.Length < n)
            order = new int[n];
        Array.Clear(counts);
        Array.Clear(masses);
        build++;
        for (var i = 0; i < n; i++)
        {
            var x = probabilities[i];
            if (x > 0)
            {
                var b = Bucket(x);
                counts[b]++;
                masses[b] += x;
            }
        }
        // Highest bucket first; within a bucket, ascending ids (the placement below is stable).
        var next = 0;
        for (var b = Buckets - 1; b >= 0; b--)
        {
            starts[b] = next;
            next += counts[b];
        }
        Count = next;
        starts.CopyTo(fill, 0);
        for (var i = 0; i < n; i++)
        {
            var x = probabilities[i];
            if (x > 0)
                order[fill[Bucket(x)]++] = i;
        }
    }

    /// <summary>Tokens with a positive probability.</summary>
    public int Count { get; private set; }

    /// <summary>
    /// Walks at most <paramref name="limit"/> tokens in descending order, adding their probabilities, and stops at the
    /// first whose running sum reaches <paramref name="target"/>: returns how many it walked and their sum.
    /// </summary>
    public (int Walked, double Sum) Walk(double target, int limit)
    {
        double sum = 0;
        var walked = 0;
        limit = Math.Min(limit, Count);
        for (var b = Buckets - 1; b >= 0 && walked < limit; b--)
        {
            var count = counts[b];
            if (count == 0)
                continue;
            if (walked + count <= limit && sum + masses[b] < target)
            {
                sum += masses[b];
                walked += count;
                continue;
            }
            EnsureSorted(b);
            for (var j = 0; j < count && walked < limit; j++)
            {
                sum += probs[order[starts[b] + j]];
                walked++;
                if (sum >= target)
                    return (walked, sum);
            }
        }
        return (walked, sum);
    }

    /// <summary>The token at a position a <see cref="Walk"/> has reached (its bucket is sorted).</summary>
    public int At(int position)
    {
        var b = BucketAt(position);
        EnsureSorted(b);
        return order[position];
    }

    int BucketAt(int position)
    {
        // starts[] does not grow with b, so "starts at or before the position" holds from some bucket up: the lowest
        // such bucket holds the position (an empty one would share its start with the bucket below it).
        int lo = 0, hi = Buckets - 1;
        while (lo < hi)
        {
            var mid = (lo + hi) / 2;
            if (starts[mid] <= position)
                hi = mid;
            else
                lo = mid + 1;
        }
        return lo;
    }

    void EnsureSorted(int b)
    {
        if (sortedIn[b] == build)
            return;
        sortedIn[b] = build;
        order.AsSpan(starts[b], counts[b]).Sort(new MoreLikelyFirst(probs));
    }

    static int Bucket(float x) => BitConverter.SingleToInt32Bits(x) >> Shift;

    readonly struct MoreLikelyFirst(float[] probs) : IComparer<int>
    {
        public int Compare(int a, int b)
        {
            var c = probs[b].CompareTo(probs[a]);
            return c != 0 ? c : a.CompareTo(b);
        }
    }
}
