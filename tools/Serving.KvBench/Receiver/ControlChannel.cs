using System.Globalization;
using System.Threading.Channels;
using Serving.Engine.Core;
using Serving.Model.Sampling;
using Serving.Worker.Runtime;
using Serving.Worker.Transfer;
using Serving.Worker.Transfer.Pull;

namespace Serving.KvBench.Receiver;

/// <summary>
/// The receiver's side of the line protocol, one command per line, one reply per command:
/// <c>reserve ID TOKENS MAXTOKENS</c> → <c>ok</c>; <c>wait ID</c> → <c>done FIRST_TS SECOND_TS OUTPUT_TOKENS</c>;
/// <c>pools</c> → <c>pools FREE TOTAL BYTES_IMPORTED</c>; <c>quit</c>.
/// </summary>
internal sealed class ControlChannel(EngineLoop loop, KvInbox inbox, PullKvTransport puller, TextReader input, TextWriter output)
{
    readonly Dictionary<string, Task<DecodeTimes>> watching = [];

    public async Task RunAsync()
    {
        while (await input.ReadLineAsync() is { } line)
        {
            var words = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            try
            {
                switch (words)
                {
                    case ["reserve", var id, var tokens, var maxTokens]:
                        Reply($"ok {await ReserveAsync(id, int.Parse(tokens, CultureInfo.InvariantCulture), int.Parse(maxTokens, CultureInfo.InvariantCulture))}");
                        break;
                    case ["pull", var id, var address, var tokens, var transferToken]:
                        // The pull direction: this (decode) side asks the sender's process for the KV; `wait` sees it land.
                        var header = new KvTransferHeader(id, ReceiverHost.WorkerId, loop.Description.KvLayout, int.Parse(tokens, CultureInfo.InvariantCulture), transferToken);
                        _ = puller.ReceiveAsync(header, inbox, new KvEndpoint("sender", address), CancellationToken.None).ContinueWith(
                            t => Console.Error.WriteLine($"pull {id} failed: {t.Exception?.GetBaseException().Message}"), TaskContinuationOptions.OnlyOnFaulted);
                        Reply("ok");
                        break;
                    case ["wait", var id]:
                        watching.Remove(id, out var watch);
                        var times = await (watch ?? throw new InvalidOperationException($"request {id} was never reserved."));
                        Reply($"done {times.First} {times.Second} {times.OutputTokens}");
                        break;
                    case ["pools"]:
                        var (free, total) = await loop.InvokeAsync(e => (e.NumFreeBlocks, e.NumTotalBlocks));
                        Reply($"pools {free} {total} {inbox.BytesImported}");
                        break;
                    case ["quit"]:
                        return;
                    default:
                        Reply($"error unknown command '{line}'");
                        break;
                }
            }
            catch (Exception e)
            {
                Reply($"error {e.GetType().Name}: {e.Message.ReplaceLineEndings(" ")}");
            }
        }
    }

    async Task<string> ReserveAsync(string id, int tokens, int maxTokens)
    {
        var sampling = new SamplingParams { Temperature = 0, MaxTokens = maxTokens, IgnoreEos = true };
        // Whole transfers: the bench measures the transport, not the receiver's prefix cache.
        var outputs = (await loop.ReserveImportAsync(id, Prompts.Make(loop.Engine, tokens), sampling, reuseCachedPrefix: false))?.Outputs
            ?? throw new InvalidOperationException($"the decode pool has no room for {tokens} tokens.");
        var transferToken = inbox.Expect(id, tokens);
        watching[id] = Task.Run(() => WatchAsync(outputs));
        return transferToken;
    }

    /// <summary>Stamps the decode worker's first output (the imported first token) and its second (the first decode step).</summary>
    static async Task<DecodeTimes> WatchAsync(ChannelReader<RequestOutput> outputs)
    {
        long first = 0, second = 0;
        var tokens = 0;
        await foreach (var o in outputs.ReadAllAsync())
        {
            var now = Clock.Now();
            if (o.NewTokenIds.Count == 0)
                continue;
            tokens += o.NewTokenIds.Count;
            if (first == 0)
                first = now;
            else if (second == 0)
                second = now;
        }
        return new DecodeTimes(first, second, tokens);
    }

    void Reply(string line) => output.WriteLine(line);

    sealed record DecodeTimes(long First, long Second, int OutputTokens);
}
