using System.Collections.Concurrent;
using System.Text;
using Serving.Contracts;
using Serving.Model.Tokenization;
using Serving.Gateway.Responses;

namespace Serving.Gateway.Generation;

/// <summary>
/// Turns the workers' token logprobs into the two API shapes: chat's <c>content</c> list and completions' parallel
/// arrays. A token's text is what it adds to the output (leading space included); its <c>bytes</c> are the raw
/// bytes, so a client can rebuild a character split over several tokens. Both are cached per token id.
/// </summary>
internal sealed class LogprobsFormatter(TextTokenizer tokenizer)
{
    readonly ConcurrentDictionary<int, TokenText> tokens = new();

    public IReadOnlyList<ChatTokenLogprob> Chat(IEnumerable<TokenLogprobMessage> logprobs) =>
        [.. logprobs.Select(lp =>
        {
            var token = Token(lp.TokenId);
            return new ChatTokenLogprob(token.Text, lp.Logprob, token.Bytes, [.. lp.TopIds.Select((id, i) => ChatTop(id, lp.TopLogprobs[i]))]);
        })];

    ChatTopLogprob ChatTop(int id, float logprob)
    {
        var token = Token(id);
        return new ChatTopLogprob(token.Text, logprob, token.Bytes);
    }

    /// <summary>Completions logprobs; <paramref name="textOffset"/> is where the first token's text starts in the choice's text, in characters (code points, as Python counts).</summary>
    public CompletionLogprobs Completion(IReadOnlyList<TokenLogprobMessage> logprobs, int textOffset)
    {
        var tokens = new List<string>(logprobs.Count);
        var values = new List<float>(logprobs.Count);
        var tops = new List<Dictionary<string, float>>(logprobs.Count);
        var offsets = new List<int>(logprobs.Count);
        foreach (var lp in logprobs)
        {
            var token = Token(lp.TokenId);
            tokens.Add(token.Text);
            values.Add(lp.Logprob);
            var top = new Dictionary<string, float>();
            for (var i = 0; i < lp.TopIds.Length; i++)
                top.TryAdd(Token(lp.TopIds[i]).Text, lp.TopLogprobs[i]);
            tops.Add(top);
            offsets.Add(textOffset);
            textOffset += token.CodePoints;
        }
        return new CompletionLogprobs(tokens, values, tops, offsets);
    }

    /// <summary>Characters (code points) in <paramref name="text"/>, the unit of completions' text_offset.</summary>
    public static int CodePoints(string text) => text.EnumerateRunes().Count();

    TokenText Token(int id) => tokens.GetOrAdd(id, static (id, tokenizer) =>
    {
        var bytes = tokenizer.TokenBytes(id);
        // A piece of a multi-byte character decodes to U+FFFD, as vLLM shows it; the bytes keep the truth.
        var text = Encoding.UTF8.GetString(bytes);
        return new TokenText(text, [.. bytes.Select(b => (int)b)], CodePoints(text));
    }, tokenizer);

    sealed record TokenText(string Text, int[] Bytes, int CodePoints);
}
