using System.Globalization;
using Serving.Engine.Core;
using Serving.Model.Requests;
using Serving.Model.Sampling;
using Serving.Engine.Scheduling;

namespace Serving.GatewayBench.Fake;

/// <summary>
/// The model replaced by a clock, for measuring everything around it: each <see cref="Step"/> takes one fixed
/// interval (as a model step would) and then gives every running request one token — no batch limit, no KV.
/// Requests finish at max_tokens (finish reason length), as the real engine's do with ignore_eos. Each token's text
/// is the moment it was emitted (monotonic clock ticks), so the client can also measure each token's delivery time.
/// </summary>
internal sealed class FakeEngine(TimeSpan interval, StepRecorder? recorder = null) : IStepEngine
{
    /// <summary>The token every step emits ("x" in the GPT-2 vocabulary); its text is the emission time, not "x".</summary>
    public const int TokenId = 87;

    static readonly IReadOnlyList<int> Token = [TokenId];

    readonly long intervalTicks = Clock.Ticks(interval);
    readonly Dictionary<string, FakeSequence> live = [];
    readonly List<string> finished = [];
    int waiting;
    long lastReturned;

    /// <summary>A notional KV pool that is never used: the router and /health read free and total blocks.</summary>
    public const int Blocks = 1 << 20;

    public void AddRequest(string requestId, IReadOnlyList<int> promptTokens, SamplingParams sampling, bool holdAfterPrefill = false, ResumePoint? resume = null)
    {
        if (holdAfterPrefill)
            throw new NotSupportedException("the fake engine has no KV to hold: it runs mixed workers only.");
        sampling.Validate();
        live.Add(requestId, new FakeSequence(promptTokens.Count, sampling.MaxTokens, resume?.OutputTokens.Count ?? 0));
        waiting++;
    }

    public IReadOnlyList<RequestOutput> Step()
    {
        var entered = Clock.Now();
        // The loop's own time since the last step returned (delivering its outputs, running commands), when it went straight on.
        var between = lastReturned != 0 && live.Count > waiting ? Clock.Ms(lastReturned, entered) : double.NaN;
        var deadline = entered + intervalTicks;
        PreciseSleep.Until(deadline);
        var emitted = Clock.Now();

        var text = " " + emitted.ToString(CultureInfo.InvariantCulture);
        var outputs = new List<RequestOutput>(live.Count);
        foreach (var (id, seq) in live)
        {
            seq.Output++;
            var done = seq.Output >= seq.MaxTokens;
            outputs.Add(new RequestOutput(id, Token, text, null, done, done ? FinishReason.Length : null, seq.PromptTokens, seq.Output, 0));
            if (done)
                finished.Add(id);
        }
        foreach (var id in finished)
            live.Remove(id);
        finished.Clear();
        waiting = 0;
        recorder?.Record(new StepSample(Clock.Ms(deadline, emitted), between, outputs.Count));
        lastReturned = Clock.Now();
        return outputs;
    }

    public bool Abort(string requestId)
    {
        if (!live.Remove(requestId, out var seq))
            return false;
        if (seq.Output == seq.Resumed)
            waiting--;
        return true;
    }

    public bool IsHeld(string requestId) => false;

    public void Release(string requestId)
    {
    }

    public Action<KvExport>? KvExported { get; set; }

    public bool HasUnfinishedRequests => live.Count > 0;
    public int NumWaiting => waiting;
    public int NumRunning => live.Count - waiting;
    public int NumFreeBlocks => Blocks;
    public int NumTotalBlocks => Blocks;

    public void Dispose()
    {
    }
}
