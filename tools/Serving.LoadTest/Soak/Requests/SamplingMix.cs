using System.Text.Json.Nodes;
using Serving.LoadTest.Workloads;
using Serving.Planning.LoadTests;

namespace Serving.LoadTest.Soak.Requests;

/// <summary>
/// A random mix of the sampling and stopping options OpenAI-compatible servers take, each present or not, so the
/// engine's sampler and stop checks run every combination under load.
/// </summary>
internal static class SamplingMix
{
    static readonly double[] Temperatures = [0, 0.3, 0.7, 1.0, 1.3];

    public static void AddTo(JsonObject body, ApiKind api, int maxTokens, Random random)
    {
        if (Chance(random, 0.6))
            body["temperature"] = Temperatures[random.Next(Temperatures.Length)];
        if (Chance(random, 0.25))
            body["top_p"] = Round(0.5 + 0.5 * random.NextDouble());
        if (Chance(random, 0.25))
            body["top_k"] = random.Next(1, 101);
        if (Chance(random, 0.15))
            body["min_p"] = Round(0.2 * random.NextDouble());
        if (Chance(random, 0.3))
            body["seed"] = random.Next();
        if (Chance(random, 0.15))
            body["presence_penalty"] = Round(2 * random.NextDouble() - 1);
        if (Chance(random, 0.15))
            body["frequency_penalty"] = Round(2 * random.NextDouble() - 1);
        if (Chance(random, 0.15))
            body["repetition_penalty"] = Round(1 + 0.5 * random.NextDouble());
        if (Chance(random, 0.15))
            body["stop"] = new JsonArray([.. Enumerable.Range(0, random.Next(1, 4)).Select(_ => (JsonNode)(" " + WordCorpus.Text(1, random)))]);
        if (Chance(random, 0.1))
            body["stop_token_ids"] = new JsonArray([.. Enumerable.Range(0, random.Next(1, 3)).Select(_ => (JsonNode)random.Next(1, 256))]);
        if (Chance(random, 0.1))
            body["min_tokens"] = random.Next(1, maxTokens + 1);
        if (Chance(random, 0.4))
            body["ignore_eos"] = true;
        if (Chance(random, 0.1))
        {
            if (api == ApiKind.Chat)
            {
                body["logprobs"] = true;
                body["top_logprobs"] = random.Next(0, 6);
            }
            else
                body["logprobs"] = random.Next(0, 6);
        }
    }

    static bool Chance(Random random, double p) => random.NextDouble() < p;

    static double Round(double value) => Math.Round(value, 3);
}
