using Serving.Contracts;
using Serving.KvBench.Receiver;
using Serving.KvBench.Reporting;
using Serving.Model.Sampling;
using Serving.Worker.Roles;
using Serving.Worker.Transfer;

namespace Serving.KvBench.Sender;

/// <summary>
/// One disaggregated request through the real roles: the receiver reserves, <see cref="PrefillRole"/> prefills and
/// streams KV over gRPC, and the decode worker's first two outputs are stamped on the shared clock.
/// </summary>
internal sealed class HandoffPhase(IReadOnlyDictionary<int, PrefillRole> rolesByGroups, TracingKvTransport tracing, ReceiverProcess receiver)
{
    public async Task<HandoffSample> RunAsync(int rep, IReadOnlyList<int> prompt, int groups)
    {
        var id = $"ho-{rep}-{prompt.Count}-g{groups}";
        var transferToken = await receiver.ReserveAsync(id, prompt.Count, 2);
        var request = new GenerationRequest(id, prompt, new SamplingParams { Temperature = 0, MaxTokens = 2, IgnoreEos = true, Seed = 1 });
        var endpoint = new KvEndpoint(ReceiverHost.WorkerId, receiver.KvAddress);

        var start = Clock.Now();
        await rolesByGroups[groups].PrefillAsync(request, endpoint, transferToken, 0, CancellationToken.None);
        var trace = tracing.Take(id);
        var decode = await receiver.WaitAsync(id);
        if (decode.OutputTokens != 2 || decode.Second == 0)
            throw new InvalidOperationException($"{id}: decode worker produced {decode.OutputTokens} tokens, expected 2.");

        return new HandoffSample(
            rep, prompt.Count, groups,
            PrefillMs: Clock.Ms(start, trace.FirstToken),
            HandoffFirstMs: Clock.Ms(trace.FirstToken, decode.First),
            HandoffSecondMs: Clock.Ms(trace.FirstToken, decode.Second),
            EndToEndFirstMs: Clock.Ms(start, decode.First),
            AcknowledgedMs: Clock.Ms(trace.FirstToken, trace.Acknowledged),
            GroupsQueuedMs: trace.GroupsQueued.Select(t => Math.Round(Clock.Ms(start, t), 3)).ToArray());
    }
}
