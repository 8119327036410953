using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Serving.Gateway.Cluster;
using Serving.Gateway.Requests;
using Serving.Gateway.Telemetry;
using Serving.Contracts;

namespace Serving.Gateway.Generation;

/// <summary>
/// The choices of one API request (n samples of each prompt): one cluster request each, run on the cluster at once,
/// their token streams merged in arrival order. The first failure cancels the other choices and is rethrown to the
/// reader; when the reader stops early (client gone), every choice is cancelled, which frees its KV blocks on the workers.
/// </summary>
internal static class ChoiceStreams
{
    const int Buffered = 64;

    /// <summary>One cluster request per choice, numbered prompt × n + sample as OpenAI does.</summary>
    /// <param name="fallbackMaxTokens">max_tokens when the client gave none (completions: 16; chat: the context left).</param>
    /// <param name="kvCapacityTokens">The most tokens a worker's KV pool holds, when known (<see cref="Telemetry.ClusterLoadMetrics.KvCapacityTokens"/>).</param>
    public static GenerationRequest[] Build(string id, IReadOnlyList<IReadOnlyList<int>> prompts, GenerationOptions o, ServedModel model,
        int? fallbackMaxTokens, string promptField, long? kvCapacityTokens = null)
    {
        var requests = new GenerationRequest[prompts.Count * o.N];
        for (var p = 0; p < prompts.Count; p++)
        {
            var sampling = GenerationOptionsReader.ForPrompt(o, prompts[p].Count, model.MaxModelLength, fallbackMaxTokens, promptField, kvCapacityTokens);
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

    /// <summary>Runs the choices to the end, gathering each one's output; a failure is thrown as the API error it means.</summary>
    public static async Task<ChoiceState[]> CollectAsync(ServingClient cluster, IReadOnlyList<GenerationRequest> choices, RequestTelemetry telemetry, CancellationToken cancellationToken)
    {
        var states = choices.Select(_ => new ChoiceState()).ToArray();
        try
        {
            await foreach (var (index, chunk) in RunAsync(cluster, choices, telemetry, cancellationToken))
                states[index].Add(chunk);
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            throw telemetry.Failure(e);
        }
        return states;
    }

    public static async IAsyncEnumerable<ChoiceChunk> RunAsync(ServingClient cluster, IReadOnlyList<GenerationRequest> choices, RequestTelemetry telemetry, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var timings = choices.Select(_ => telemetry.Choice()).ToArray();
        await foreach (var item in Merge(cluster, choices, cancellationToken))
        {
            var chunk = item.Chunk;
            timings[item.Index].OnChunk(chunk.TokenIds.Length, chunk.Finished, chunk.OutputTokens);
            yield return item;
        }
    }

    static async IAsyncEnumerable<ChoiceChunk> Merge(ServingClient cluster, IReadOnlyList<GenerationRequest> choices, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        if (choices.Count == 1)
        {
            await foreach (var chunk in cluster.GenerateAsync(choices[0], cancellationToken))
                yield return new ChoiceChunk(0, chunk);
            yield break;
        }

        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var channel = Channel.CreateBounded<ChoiceChunk>(new BoundedChannelOptions(Buffered) { SingleReader = true });
        Exception? firstFailure = null;
        var pumps = choices.Select(Pump).ToArray();
        _ = Task.WhenAll(pumps).ContinueWith(_ => channel.Writer.TryComplete(firstFailure), TaskScheduler.Default);
        try
        {
            await foreach (var chunk in channel.Reader.ReadAllAsync(cancellationToken))
                yield return chunk;
        }
        finally
        {
            await cancel.CancelAsync();
            await Task.WhenAll(pumps);
        }

        async Task Pump(GenerationRequest request, int index)
        {
            try
            {
                await foreach (var chunk in cluster.GenerateAsync(request, cancel.Token))
                    await channel.Writer.WriteAsync(new ChoiceChunk(index, chunk), cancel.Token);
            }
            catch (Exception e)
            {
                // Only the first failure is the cause; the others are the cancellations it set off.
                if (!cancel.IsCancellationRequested)
                    Interlocked.CompareExchange(ref firstFailure, e, null);
                await cancel.CancelAsync();
            }
        }
    }
}
