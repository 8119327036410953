using Serving.Planning.LoadTests;

namespace Serving.LoadTest.Workloads;

/// <summary>Turns workload settings into the list of requests of a run; the same seed gives the same list.</summary>
internal static class WorkloadBuilder
{
    // vLLM's ShareGPT filter: drop answers too short to time, prompts and totals too long for small models.
    const int MinLength = 4;
    const int MaxPrompt = 1024;
    const int MaxTotal = 2048;

    public static async Task<List<WorkloadRequest>> BuildAsync(WorkloadSettings settings, PromptBuilder prompts, int seed, CancellationToken cancellationToken)
    {
        var random = new Random(seed);
        return settings.Kind switch
        {
            WorkloadKind.Synthetic => await SyntheticAsync(settings, prompts, random, cancellationToken),
            WorkloadKind.ShareGpt => await ShareGptAsync(settings, prompts, random, cancellationToken),
            _ => await TraceAsync(settings, prompts, random, cancellationToken),
        };
    }

    /// <summary>
    /// The same requests (lengths, outputs, trace times) with new prompt text of the same lengths, so that a server's
    /// prefix cache does not carry one run's prompts into the next run of a sweep or search. ShareGPT prompts are the
    /// dataset's own and stay. Chat messages of the old text (a conversation's, a shared prefix's) are dropped.
    /// </summary>
    public static async Task<List<WorkloadRequest>> FreshPromptsAsync(WorkloadSettings settings, IReadOnlyList<WorkloadRequest> requests, PromptBuilder prompts, Random random, CancellationToken cancellationToken)
    {
        if (settings.Kind == WorkloadKind.ShareGpt)
            return [.. requests];
        var fresh = new List<WorkloadRequest>(requests.Count);
        foreach (var r in requests)
            fresh.Add(r with { Prompt = await prompts.BuildAsync(r.PromptTokens, random, cancellationToken), Messages = null });
        return fresh;
    }

    static async Task<List<WorkloadRequest>> SyntheticAsync(WorkloadSettings s, PromptBuilder prompts, Random random, CancellationToken ct)
    {
        // Lengths first, prompts after: the lengths depend on the seed alone, whatever the prompt source.
        var lengths = Enumerable.Range(0, s.NumPrompts).Select(_ => (In: s.Input.Sample(random), Out: s.Output.Sample(random))).ToArray();
        var requests = new List<WorkloadRequest>(lengths.Length);
        foreach (var (i, (input, output)) in lengths.Index())
            requests.Add(new WorkloadRequest(i, await prompts.BuildAsync(input, random, ct), input, output));
        return requests;
    }

    static async Task<List<WorkloadRequest>> ShareGptAsync(WorkloadSettings s, PromptBuilder prompts, Random random, CancellationToken ct)
    {
        var pairs = ShareGptReader.Read(s.Path ?? throw new ArgumentException("a ShareGPT workload needs --dataset FILE"));
        random.Shuffle(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(pairs));
        var requests = new List<WorkloadRequest>(s.NumPrompts);
        foreach (var (prompt, answer) in pairs)
        {
            if (requests.Count == s.NumPrompts)
                break;
            var promptTokens = await prompts.CountAsync(prompt, ct);
            var outputTokens = s.ShareGptOutputLen ?? await prompts.CountAsync(answer, ct);
            if (promptTokens < MinLength || (s.ShareGptOutputLen is null && outputTokens < MinLength)
                || promptTokens > MaxPrompt || promptTokens + outputTokens > MaxTotal)
                continue;
            requests.Add(new WorkloadRequest(requests.Count, prompt, promptTokens, outputTokens));
        }
        if (requests.Count < s.NumPrompts)
            Console.Error.WriteLine($"warning: {s.Path} has only {requests.Count} usable conversations of the {s.NumPrompts} asked for");
        return requests;
    }

    static async Task<List<WorkloadRequest>> TraceAsync(WorkloadSettings s, PromptBuilder prompts, Random random, CancellationToken ct)
    {
        var entries = TraceReader.Read(s.Path ?? throw new ArgumentException("a trace workload needs --dataset FILE"));
        var requests = new List<WorkloadRequest>();
        foreach (var (i, (at, input, output)) in entries.Take(s.NumPrompts).Index())
            requests.Add(new WorkloadRequest(i, await prompts.BuildAsync(input, random, ct), input, output, at));
        return requests;
    }
}
