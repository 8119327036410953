using Serving.Engine.Sampling;
using Serving.Engine.Scheduling;
using Serving.Model.Requests;
using Serving.Model.Tokenization;

namespace Serving.Engine.Core;

/// <summary>
/// Turns sampled tokens into what a request sees: appends the token, decides whether the request ends (EOS, a stop
/// token, a stop string, max_tokens or the context length), detokenizes, and builds the step's output.
/// </summary>
internal sealed class OutputProcessor(TextTokenizer? tokenizer, IReadOnlySet<int> eosTokenIds, int maxModelLength)
{
    readonly Dictionary<string, TextStream> texts = [];

    /// <summary>Starts a request's text; a resumed one replays what another engine emitted.</summary>
    public void Add(Sequence seq, ResumePoint? resume)
    {
        if (tokenizer is null)
            return;
        var stream = new TextStream(tokenizer, seq.Sampling.Stop);
        if (resume is not null)
            stream.Prime(resume.OutputTokens, resume.EmittedChars);
        texts[seq.RequestId] = stream;
    }

    public void Remove(string requestId) => texts.Remove(requestId);

    /// <summary>Appends the sampled token; returns the text it adds and why the request ends (null while it goes on).</summary>
    public (string Text, FinishReason? Reason) Append(Sequence seq, Sampler.Result result)
    {
        seq.Append(result.TokenId);
        if (result.Logprob is { } lp)
            (seq.Logprobs ??= []).Add(lp);
        var reason = StopReason(seq);
        if (!texts.TryGetValue(seq.RequestId, out var stream))
            return ("", reason);
        var (delta, stopped) = stream.Append(seq.LastToken, isLast: reason is not null);
        return (delta, stopped ? FinishReason.Stop : reason);
    }

    public static RequestOutput Output(Sequence seq, Sampler.Result result, string text) =>
        new(seq.RequestId, [result.TokenId], text, result.Logprob is { } l ? [l] : null, seq.IsFinished, seq.FinishReason,
            seq.PromptLength, seq.OutputLength, seq.NumCachedTokens);

    FinishReason? StopReason(Sequence seq)
    {
        var p = seq.Sampling;
        var token = seq.LastToken;
        if (seq.OutputLength >= p.MinTokens && ((!p.IgnoreEos && eosTokenIds.Contains(token)) || p.StopTokenIds.Contains(token)))
            return FinishReason.Stop;
        if (seq.OutputLength >= p.MaxTokens || seq.Length >= maxModelLength)
            return FinishReason.Length;
        return null;
    }
}
