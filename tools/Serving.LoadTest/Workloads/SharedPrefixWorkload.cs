using Serving.Planning.LoadTests;

namespace Serving.LoadTest.Workloads;

/// <summary>
/// The requests of a shared-prefix workload: every prompt is its group's system text followed by a question of its
/// own — one user message "prefix\n\nquestion" for the completions endpoint, a system and a user message for chat —
/// in an order shuffled across groups. Each request records its group and the prefix's length in tokens (the target's
/// tokenizer when it has one), from which the ideal hit rate follows.
/// </summary>
internal static class SharedPrefixWorkload
{
    public static async Task<List<WorkloadRequest>> BuildAsync(SharedPrefixSettings settings, LengthSpec output, PromptBuilder prompts, Random random, CancellationToken cancellationToken)
    {
        // Groups and output lengths first, texts after (as the other workloads draw lengths before prompts).
        var slots = Enumerable.Range(0, settings.Groups).SelectMany(g => Enumerable.Range(0, settings.PromptsPerGroup).Select(_ => g)).ToArray();
        random.Shuffle(slots);
        var requests = slots.Select((g, i) => new WorkloadRequest(i, "", 0, output.Sample(random)) { Tag = new RequestTag(Group: g) }).ToList();
        return await FreshAsync(settings, requests, prompts, random, cancellationToken);
    }

    /// <summary>
    /// The same requests (groups, output lengths) with new texts: one new system text per group, a new question per
    /// request, so that one run's prefixes are not in the server's cache when the next run of a sweep or search starts.
    /// </summary>
    public static async Task<List<WorkloadRequest>> FreshAsync(SharedPrefixSettings settings, IReadOnlyList<WorkloadRequest> requests, PromptBuilder prompts, Random random, CancellationToken cancellationToken)
    {
        var prefixes = new Dictionary<int, (string Text, int Tokens)>();
        foreach (var group in requests.Select(r => r.Tag.Group ?? 0).Distinct().Order())
        {
            var text = WordCorpus.Text(settings.PrefixWords, random);
            prefixes[group] = (text, await prompts.CountAsync(text, cancellationToken));
        }
        return [.. requests.Select(r =>
        {
            var (prefix, prefixTokens) = prefixes[r.Tag.Group ?? 0];
            var question = WordCorpus.Text(settings.QuestionWords, random) + "?";
            return r with
            {
                Prompt = $"{prefix}\n\n{question}",
                PromptTokens = prefixTokens + WordCorpus.EstimateTokens(question),
                Messages = [new ChatMessage("system", prefix), new ChatMessage("user", question)],
                Tag = r.Tag with { PrefixTokens = prefixTokens },
            };
        })];
    }
}
