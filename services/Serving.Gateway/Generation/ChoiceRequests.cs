using Serving.Gateway.Requests;
using Serving.Contracts;

namespace Serving.Gateway.Generation;

/// <summary>One cluster request per choice: n samples of each prompt, numbered prompt × n + sample as OpenAI does.</summary>
internal static class ChoiceRequests
{
    /// <param name="fallbackMaxTokens">max_tokens when the client gave none (completions: 16; chat: the context left).</param>
    public static GenerationRequest[] Build(string id, IReadOnlyList<IReadOnlyList<int>> prompts, GenerationOptions o, ServedModel model,
        int? fallbackMaxTokens, string promptField)
    {
        var requests = new GenerationRequest[prompts.Count * o.N];
        for (var p = 0; p < prompts.Count; p++)
        {
            var sampling = GenerationOptionsReader.ForPrompt(o, prompts[p].Count, model.MaxModelLength, fallbackMaxTokens, promptField);
            for (var s = 0; s < o.N; s++)
            {
                var index = p * o.N + s;
                // Samples of one prompt differ, yet a seeded request is reproducible: sample s draws with seed + s.
                var seeded = o.N > 1 && sampling.Seed is { } seed ? sampling with { Seed = unchecked(seed + s) } : sampling;
                // One choice keeps the API id, so logs and traces read the id the client got back.
                requests[index] = new GenerationRequest(prompts.Count * o.N == 1 ? id : $"{id}-{index}", prompts[p], seeded);
            }
        }
        return requests;
    }
}
