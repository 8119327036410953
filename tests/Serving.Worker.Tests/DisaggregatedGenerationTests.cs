using Serving.Contracts;
using Serving.Engine.Core;
using Serving.Model.Sampling;
using Serving.Worker.Roles;
using Serving.Worker.Transfer;

namespace Serving.Worker.Tests;

public sealed class DisaggregatedGenerationTests(DisaggregationFixture f) : IClassFixture<DisaggregationFixture>
{
    static readonly string[] Texts =
    [
        "Hi",
        "The quick brown fox jumps over the lazy dog.",
        string.Join(' ', Enumerable.Repeat("Serving splits prefill and decode across workers so long prompts never stall generation.", 12)),
        "Über café naïve — 東京 🚀 emoji and accents.",
    ];

    [Theory]
    [InlineData("local")]
    [InlineData("grpc")]
    [InlineData("grpc-pull")]
    public async Task Greedy_ThroughPrefillAndDecodeWorkers_IsTokenIdenticalToOneEngine(string transport)
    {
        var sampling = SamplingParams.Greedy(24) with { IgnoreEos = true };
        await AssertSameAsSingleEngine(transport, sampling);
    }

    [Theory]
    [InlineData("local")]
    [InlineData("grpc")]
    [InlineData("grpc-pull")]
    public async Task SeededSampling_WithPenaltiesAndLogprobs_IsIdenticalToOneEngine(string transport)
    {
        var sampling = new SamplingParams
        {
            Temperature = 0.9, TopP = 0.9, TopK = 50, Seed = 1234, MaxTokens = 20, IgnoreEos = true,
            FrequencyPenalty = 0.5, PresencePenalty = 0.3, RepetitionPenalty = 1.1, Logprobs = 2,
        };
        await AssertSameAsSingleEngine(transport, sampling);
    }

    [Fact]
    public async Task StopStrings_CarryOverToTheDecodeWorker()
    {
        var prompt = f.Reference.Encode(Texts[1]);
        var free = f.Reference.Tokenizer!.Decode(f.Reference.Generate([prompt], SamplingParams.Greedy(30) with { IgnoreEos = true })[0]);
        var stop = free.Substring(free.Length / 2, 2);
        var sampling = SamplingParams.Greedy(30) with { IgnoreEos = true, Stop = [stop] };

        var decode = f.DecodeRole();
        var (_, text, last) = await Run(f.PrefillRole("grpc"), "stop-1", prompt, sampling, decode);

        Assert.Equal(0, decode.Recomputed);
        Assert.Equal(free[..free.IndexOf(stop, StringComparison.Ordinal)], text);
        Assert.Equal(Serving.Engine.Scheduling.FinishReason.Stop, last.FinishReason);
        await f.AssertPoolsWholeAsync();
    }

    [Theory]
    [InlineData("local", false)]
    [InlineData("grpc", false)]
    [InlineData("grpc-pull", false)]
    [InlineData("grpc", true)]
    [InlineData("grpc-pull", true)]
    public async Task NextTurn_MovesOnlyWhatTheDecodeWorkerLacks_AndStaysIdenticalToOneEngine(string transport, bool seeded)
    {
        var sampling = seeded
            ? new SamplingParams { Temperature = 0.9, TopP = 0.9, Seed = 77, MaxTokens = 16, IgnoreEos = true, Logprobs = 1 }
            : SamplingParams.Greedy(16) with { IgnoreEos = true };
        var prefill = f.PrefillRole(transport);
        var decode = f.DecodeRole(transport);
        var layout = f.Decode.Description.KvLayout;
        // Turn 1 leaves the conversation's prompt and answer in both workers' prefix caches.
        var turn1 = f.Reference.Encode($"Conversation {transport} {seeded}: " + Texts[2]);
        var (answer, _, _) = await Run(prefill, $"turn1-{transport}-{seeded}", turn1, sampling, decode);
        int[] turn2 = [.. turn1, .. answer, .. f.Reference.Encode(" And what comes next? " + Texts[1])];
        var expected = f.Reference.Generate([turn2], sampling)[0];

        var importedBefore = f.Inbox.BytesImported;
        var (tokens, _, last) = await Run(prefill, $"turn2-{transport}-{seeded}", turn2, sampling, decode);

        Assert.Equal(0, decode.Recomputed);
        Assert.Equal(expected, tokens);
        // The decode worker held turn 1's full blocks (prompt and answer): only the blocks after them came over.
        var held = (turn1.Count + answer.Count) / layout.BlockSize;
        var blocks = (turn2.Length + layout.BlockSize - 1) / layout.BlockSize;
        Assert.Equal((long)(blocks - held) * layout.BlockBytesPerLayer * layout.NumLayers, f.Inbox.BytesImported - importedBefore);
        // The prefill worker computed only what its own cache lacked (turn 1's prompt blocks), and says so.
        Assert.Equal(turn1.Count / layout.BlockSize * layout.BlockSize, last.CachedPromptTokens);
        await f.AssertPoolsWholeAsync();
    }

    async Task AssertSameAsSingleEngine(string transport, SamplingParams sampling)
    {
        // Prompts of their own per run: a prefix the decode worker cached in an earlier run would not be sent again.
        var prompts = Texts.Select(t => f.Reference.Encode($"[{transport} {sampling.Seed}] {t}")).ToArray();
        var expected = f.Reference.Generate(prompts, sampling);
        var prefill = f.PrefillRole(transport);
        var decode = f.DecodeRole(transport);
        var importedBefore = f.Inbox.BytesImported;

        var runs = prompts.Select((p, i) => Run(prefill, $"{transport}-{sampling.Seed}-{i}", p, sampling, decode)).ToArray();
        var results = await Task.WhenAll(runs);

        // The KV really moved: no request fell back to recomputing its prefill on the decode worker.
        Assert.Equal(0, decode.Recomputed);
        var layout = f.Decode.Description.KvLayout;
        var expectedBytes = prompts.Sum(p => (p.Count + layout.BlockSize - 1) / layout.BlockSize * layout.BlockBytesPerLayer * layout.NumLayers);
        Assert.Equal(expectedBytes, f.Inbox.BytesImported - importedBefore);

        for (var i = 0; i < prompts.Length; i++)
            Assert.Equal(expected[i], results[i].Tokens);
        await f.AssertPoolsWholeAsync();
    }

    async Task<(List<int> Tokens, string Text, RequestOutput Last)> Run(IPrefillService prefill, string id, IReadOnlyList<int> prompt, SamplingParams sampling, DecodeRole? decode = null)
    {
        var tokens = new List<int>();
        var text = "";
        RequestOutput? last = null;
        await foreach (var o in (decode ?? f.DecodeRole()).GenerateAsync(new GenerationRequest(id, prompt, sampling), prefill, CancellationToken.None))
        {
            tokens.AddRange(o.NewTokenIds);
            text += o.NewText;
            last = o;
        }
        return (tokens, text, last!);
    }
}
