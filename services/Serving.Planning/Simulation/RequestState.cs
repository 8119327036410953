namespace Serving.Planning.Simulation;

/// <summary>Mutable progress of one request during a simulation.</summary>
internal sealed class RequestState(SimRequest request)
{
    public SimRequest Request { get; } = request;

    /// <summary>Tokens produced so far (the first comes out of prefill).</summary>
    public int Generated { get; set; }

    /// <summary>Tokens held in KV: the prompt plus what was generated.</summary>
    public long Context => Request.PromptTokens + Generated;

    /// <summary>Tokens a (re)prefill has to compute: the prompt, or after a preemption the prompt plus generated tokens.</summary>
    public long PrefillTokens => Context;

    /// <summary>Chunked prefill: tokens of <see cref="PrefillTokens"/> computed so far.</summary>
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
