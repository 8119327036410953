using System.Text;
using Serving.Model.Tokenization;

namespace Serving.Engine.Core;

/// <summary>
/// One request's output text: detokenizes token by token, finds stop strings (which are never emitted), and
/// holds back the few characters that could still turn out to be the start of a stop string.
/// </summary>
internal sealed class TextStream(TextTokenizer tokenizer, IReadOnlyList<string> stop)
{
    readonly StreamingDetokenizer detokenizer = tokenizer.CreateStreamingDetokenizer();
    readonly StringBuilder text = new();
    readonly int holdBack = stop.Count == 0 ? 0 : stop.Max(s => s.Length) - 1;
    int emitted;

    /// <summary>Adds a token; returns the new text to emit and whether a stop string ended the output.</summary>
    public (string Delta, bool Stopped) Append(int token, bool isLast)
    {
        var searchFrom = Math.Max(0, text.Length - holdBack);
        text.Append(detokenizer.Append(token));
        if (isLast)
            text.Append(detokenizer.Flush());

        if (stop.Count > 0)
        {
            var window = text.ToString(searchFrom, text.Length - searchFrom);
            var cut = -1;
            foreach (var s in stop)
            {
                var at = window.IndexOf(s, StringComparison.Ordinal);
                if (at >= 0 && (cut < 0 || at < cut))
                    cut = at;
            }
            if (cut >= 0)
            {
                text.Length = searchFrom + cut;
                return (Take(text.Length), true);
            }
        }
        return (Take(isLast ? text.Length : Math.Max(emitted, text.Length - holdBack)), false);
    }

    /// <summary>Replays tokens another engine generated, of whose text the client already has <paramref name="emittedChars"/> characters.</summary>
    public void Prime(IReadOnlyList<int> tokens, int emittedChars)
    {
        foreach (var t in tokens)
            text.Append(detokenizer.Append(t));
        emitted = Math.Clamp(emittedChars, 0, text.Length);
    }

    /// <summary>Everything emitted so far.</summary>
    public string Text => text.ToString(0, emitted);

    string Take(int upTo)
    {
        var delta = text.ToString(emitted, upTo - emitted);
        emitted = upTo;
        return delta;
    }
}
