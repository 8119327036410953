using System.Text;
using Serving.Cluster.Abstractions;
using Serving.Engine.Tokenization;
using Serving.Gateway.Responses;

namespace Serving.Gateway.Generation;

/// <summary>Turns the workers' token logprobs into the two API shapes: chat's <c>content</c> list and completions' parallel arrays.</summary>
internal sealed class LogprobsFormatter(TextTokenizer tokenizer)
{
    public string TokenText(int id) => tokenizer.Decode([id], skipSpecialTokens: false);

    public IReadOnlyList<ChatTokenLogprob> Chat(IEnumerable<TokenLogprobMessage> logprobs) =>
        [.. logprobs.Select(lp =>
        {
            var token = TokenText(lp.TokenId);
            return new ChatTokenLogprob(token, lp.Logprob, Bytes(token), [.. lp.TopIds.Select((id, i) => ChatTop(id, lp.TopLogprobs[i]))]);
        })];

    ChatTopLogprob ChatTop(int id, float logprob)
    {
        var token = TokenText(id);
        return new ChatTopLogprob(token, logprob, Bytes(token));
    }

    /// <summary>Completions logprobs; <paramref name="textOffset"/> is where the first token's text starts in the choice's text.</summary>
    public CompletionLogprobs Completion(IReadOnlyList<TokenLogprobMessage> logprobs, int textOffset)
    {
        var tokens = new List<string>(logprobs.Count);
        var values = new List<float>(logprobs.Count);
        var tops = new List<Dictionary<string, float>>(logprobs.Count);
        var offsets = new List<int>(logprobs.Count);
        foreach (var lp in logprobs)
        {
            var token = TokenText(lp.TokenId);
            tokens.Add(token);
            values.Add(lp.Logprob);
            var top = new Dictionary<string, float>();
            for (var i = 0; i < lp.TopIds.Length; i++)
                top.TryAdd(TokenText(lp.TopIds[i]), lp.TopLogprobs[i]);
            tops.Add(top);
            offsets.Add(textOffset);
            textOffset += token.Length;
        }
        return new CompletionLogprobs(tokens, values, tops, offsets);
    }

    static int[] Bytes(string token) => [.. Encoding.UTF8.GetBytes(token).Select(b => (int)b)];
}
