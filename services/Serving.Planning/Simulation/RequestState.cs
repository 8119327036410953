namespace Serving.Planning.Simulation;

/// <summary>Mutable progress of one request during a simulation.</summary>
internal sealed class RequestState(SimRequest request)
{
    public SimRequest Request { get; } = request;

    /// <summary>Tokens produced so far (the first comes out of prefill).</summary>
    public int Generated { get; set; }

    /// <summary>Tokens held in KV: the prompt plus what was generated.</summary>
    public long Context => Request.PromptTokens + Generated;

    /// <summary>Tokens a (re)prefill puts in KV: the prompt, or after a preemption the prompt plus generated tokens.</summary>
    public long PrefillTokens => Context;

    /// <summary>
    /// The prompt's prefix a prefix cache holds: a (re)prefill starts after it — its blocks outlive a preemption, as
    /// freed cached blocks do in the engine. At most the prompt less one token, the row the first token is sampled from.
    /// </summary>
    public int Cached { get; } = Math.Clamp(request.CachedTokens, 0, Math.Max(0, request.PromptTokens - 1));

    /// <summary>Prompt tokens past the cached prefix: what routing weighs, the short-prompt threshold compares and a KV transfer moves.</summary>
    public int UncachedPromptTokens => Request.PromptTokens - Cached;

    /// <summary>Tokens a (re)prefill computes: <see cref="PrefillTokens"/> past the cached prefix.</summary>
    public long ComputeTokens => PrefillTokens - Cached;

    /// <summary>
    /// The attention term of a (re)prefill, in the profile's len² units: its rows still attend over the whole context,
    /// cached prefix included, so it costs len² − cached² (as a chunk from p to p + c costs (p + c)² − p²).
    /// </summary>
    public double ComputeSquares => (double)PrefillTokens * PrefillTokens - (double)Cached * Cached;

    /// <summary>Chunked prefill: tokens of <see cref="PrefillTokens"/> computed (or found cached) so far.</summary>
    public long Prefilled { get; set; }

    public double FirstTokenTime { get; set; } = double.NaN;

    public double FinishTime { get; set; } = double.NaN;

    public double LastTokenTime { get; set; } = double.NaN;

    /// <summary>Longest wait between two consecutive tokens (ITL), the stall a long prefill causes.</summary>
    public double MaxTokenGap { get; private set; }

    public int Preemptions { get; set; }

    public bool Dropped { get; set; }

    public void TokenAt(double time)
    {
        if (!double.IsNaN(LastTokenTime)) MaxTokenGap = Math.Max(MaxTokenGap, time - LastTokenTime);
        LastTokenTime = time;
    }

    public bool IsFinished => Generated >= Request.OutputTokens;
}
