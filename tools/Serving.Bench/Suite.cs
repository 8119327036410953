using System.Diagnostics;

namespace Serving.Bench;

/// <summary>
/// Runs every measurement on every side in the same process. Repetitions are interleaved (and the side that goes
/// first rotates), so a burst of noise on the shared machine lands on all sides rather than on one.
/// </summary>
internal sealed class Suite(BenchOptions options, IReadOnlyList<IBenchSide> sides, IReadOnlyList<int> textTokens)
{
    // Lets the other runtime's OpenMP workers stop spinning before the next side starts.
    static readonly TimeSpan Handover = TimeSpan.FromMilliseconds(20);
    const int DecodeToken = 262; // " the" in GPT-2's vocabulary: any fixed token does

    readonly Stopwatch clock = Stopwatch.StartNew();

    public List<Measurement> Measurements { get; } = [];

    /// <summary>Mean context length of each decode batch at its first and last timed step.</summary>
    public Dictionary<int, (double Start, double End)> DecodeContexts { get; } = [];

    public void Run()
    {
        Prefill();
        Decode();
    }

    void Prefill()
    {
        Progress("warm-up: one prefill of each length per side");
        foreach (var side in sides)
            foreach (var length in options.PrefillLengths)
                side.Prefill(Prompt(length, 0));

        foreach (var length in options.PrefillLengths)
        {
            var samples = sides.ToDictionary(s => s, _ => new List<double>());
            for (var rep = 0; rep < options.Reps; rep++)
            {
                Progress($"prefill {length} tokens: rep {rep + 1}/{options.Reps}");
                foreach (var side in Rotated(rep))
                {
                    samples[side].Add(side.Prefill(Prompt(length, 0)));
                    Thread.Sleep(Handover);
                }
            }
            foreach (var side in sides)
                Measurements.Add(new Measurement("prefill", length, side.Name, [.. samples[side]]));
        }
    }

    void Decode()
    {
        var maxBatch = options.DecodeBatches.Max();
        var prompts = Enumerable.Range(0, maxBatch).Select(i => Prompt(options.DecodeContext, i)).ToArray();
        foreach (var side in sides)
        {
            Progress($"decode pool: prefilling {maxBatch} × {options.DecodeContext} tokens on {side.Name}");
            side.PrepareDecodePool(prompts);
        }

        // Batch 1 decodes sequence 0, batch 8 sequences 1..8, the largest batch all of them: contexts stay near 512.
        var lengths = Enumerable.Repeat(options.DecodeContext, maxBatch).ToArray();
        foreach (var batch in options.DecodeBatches)
        {
            var first = batch == 1 ? 0 : batch == maxBatch ? 0 : 1;
            Progress($"decode batch {batch}: warm-up");
            foreach (var side in sides)
                for (var step = 0; step < 2; step++)
                    side.DecodeStep(first, batch, DecodeToken);
            Grow(lengths, first, batch, 2);

            var start = lengths.Skip(first).Take(batch).Average();
            var samples = sides.ToDictionary(s => s, _ => new List<double>());
            for (var rep = 0; rep < options.Reps; rep++)
            {
                Progress($"decode batch {batch}: rep {rep + 1}/{options.Reps}");
                foreach (var side in Rotated(rep))
                {
                    var total = 0.0;
                    for (var step = 0; step < options.StepsPerRep; step++)
                        total += side.DecodeStep(first, batch, DecodeToken);
                    samples[side].Add(total / options.StepsPerRep);
                    Thread.Sleep(Handover);
                }
                Grow(lengths, first, batch, options.StepsPerRep);
            }
            DecodeContexts[batch] = (start, lengths.Skip(first).Take(batch).Average() - 1);
            foreach (var side in sides)
                Measurements.Add(new Measurement("decode", batch, side.Name, [.. samples[side]]));
        }
    }

    static void Grow(int[] lengths, int first, int count, int steps)
    {
        for (var i = first; i < first + count; i++)
            lengths[i] += steps;
    }

    /// <summary>Real text, cycled to the length, starting at a different offset per sequence.</summary>
    int[] Prompt(int length, int seed) =>
        Enumerable.Range(0, length).Select(i => textTokens[(i + seed * 37) % textTokens.Count]).ToArray();

    IEnumerable<IBenchSide> Rotated(int rep) => sides.Skip(rep % sides.Count).Concat(sides.Take(rep % sides.Count));

    void Progress(string message) => Console.Error.WriteLine($"[{clock.Elapsed:mm\\:ss}] {message}");
}
