using System.Text.Json;
using System.Text.Json.Nodes;
using Serving.LoadTest.Workloads;
using Serving.Planning.LoadTests;

namespace Serving.LoadTest.Soak.Requests;

/// <summary>
/// Draws request <c>i</c> of a soak from <c>(seed, i)</c> alone: chat or text completion, streamed or not, n, the
/// prompt (a few shared prefixes, so prefix-cached blocks are shared and released under cancellation too), the
/// sampling options, a deliberate mistake, and whether the client will walk away.
/// </summary>
internal sealed class SoakRequestFactory(string model, SoakMix mix, int seed)
{
    // Four "system prompts" that many requests start with: their blocks are shared through the prefix cache.
    static readonly string[] SharedPrefixes = [.. Enumerable.Range(0, 4).Select(i => WordCorpus.Text(200 + 60 * i, new Random(1000 + i)))];

    public SoakRequest Create(int index)
    {
        var random = new Random(HashCode.Combine(seed, index));
        var api = random.NextDouble() < mix.ChatShare ? ApiKind.Chat : ApiKind.Completions;
        var stream = random.NextDouble() < mix.StreamShare;
        var n = random.NextDouble() < mix.MultiChoiceShare ? random.Next(2, Math.Max(2, mix.MaxN) + 1) : 1;
        var words = PromptWords(random);
        var prompt = Prompt(words, random);
        var maxTokens = random.Next(4, Math.Max(4, mix.MaxOutputTokens) + 1);

        var body = new JsonObject { ["model"] = model };
        if (api == ApiKind.Chat)
        {
            body["messages"] = new JsonArray(new JsonObject { ["role"] = "user", ["content"] = prompt });
            body["max_completion_tokens"] = maxTokens;
        }
        else
        {
            body["prompt"] = prompt;
            body["max_tokens"] = maxTokens;
        }
        if (n > 1)
            body["n"] = n;
        if (stream)
        {
            body["stream"] = true;
            body["stream_options"] = new JsonObject { ["include_usage"] = true };
        }
        SamplingMix.AddTo(body, api, maxTokens, random);
        var invalid = random.NextDouble() < mix.InvalidShare ? InvalidFields.Break(body, random) : null;
        var disconnect = random.NextDouble() < mix.DisconnectShare
            ? new DisconnectPlan(random.Next(1, 9), TimeSpan.FromMilliseconds(random.Next(20, 500)))
            : null;
        return new SoakRequest(index, api, stream, n, words, JsonSerializer.SerializeToUtf8Bytes(body), invalid, disconnect);
    }

    int PromptWords(Random random)
    {
        var roll = random.NextDouble();
        if (roll < mix.LongPromptShare)
            return random.Next(mix.LongPromptMinWords, Math.Max(mix.LongPromptMinWords, mix.LongPromptMaxWords) + 1);
        return roll < mix.LongPromptShare + 0.15 ? random.Next(200, 1000) : random.Next(3, 200);
    }

    static string Prompt(int words, Random random)
    {
        if (words < 300 || random.NextDouble() < 0.5)
            return WordCorpus.Text(words, random);
        var prefix = SharedPrefixes[random.Next(SharedPrefixes.Length)];
        return prefix + " " + WordCorpus.Text(Math.Max(1, words - prefix.Count(c => c == ' ') - 1), random);
    }
}
