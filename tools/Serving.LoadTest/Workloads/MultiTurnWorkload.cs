using Serving.Planning.LoadTests;

namespace Serving.LoadTest.Workloads;

/// <summary>
/// The conversations of a multi-turn workload: the human turns of ShareGPT conversations that have several, when
/// <see cref="WorkloadSettings.Path"/> names such a file, else word texts (an opening text and question, then
/// questions). Each answer may have an output length drawn from <see cref="WorkloadSettings.Output"/>. The same seed
/// gives the same conversations.
/// </summary>
internal static class MultiTurnWorkload
{
    public static (List<ConversationScript> Conversations, bool FromDataset) Build(MultiTurnSettings settings, WorkloadSettings workload, int seed)
    {
        var random = new Random(seed);
        if (workload.Path is { } path)
        {
            var dataset = ShareGptReader.HumanTurns(path);
            if (dataset.Count > 0)
            {
                random.Shuffle(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(dataset));
                if (dataset.Count < settings.Conversations)
                    Console.Error.WriteLine($"warning: {path} has only {dataset.Count} conversations of several human turns, of the {settings.Conversations} asked for");
                return ([.. dataset.Take(settings.Conversations).Select((turns, c) => Script(c, [.. turns.Take(settings.Turns)], workload.Output, random))], true);
            }
            Console.Error.WriteLine($"warning: {path} has no conversation of several human turns: the conversations are made of words");
        }
        var synthetic = new List<ConversationScript>(settings.Conversations);
        for (var c = 0; c < settings.Conversations; c++)
        {
            var turns = new string[settings.Turns];
            turns[0] = $"{WordCorpus.Text(settings.OpeningWords, random)}\n\n{Question(settings.QuestionWords, random)}";
            for (var t = 1; t < turns.Length; t++)
                turns[t] = Question(settings.QuestionWords, random);
            synthetic.Add(Script(c, turns, workload.Output, random));
        }
        return (synthetic, false);
    }

    /// <summary>The first turns, one request per conversation: what the preflight and warm-up resemble.</summary>
    public static List<WorkloadRequest> Openings(IReadOnlyList<ConversationScript> conversations) =>
        [.. conversations.Select(c => new ConversationState(c.Index).Ask(c.Index, c.UserTurns[0], c.OutputTokens[0]))];

    static ConversationScript Script(int index, string[] turns, LengthSpec output, Random random) =>
        new(index, turns, [.. turns.Select(_ => output.Sample(random))]);

    static string Question(int words, Random random) => WordCorpus.Text(words, random) + "?";
}
