using Serving.Engine.Core;
using Serving.Engine.Tests.Support;
using Serving.Model.Caching;
using Serving.Model.Sampling;

namespace Serving.Engine.Tests.Core;

/// <summary>
/// A decode engine that already holds a prompt's prefix (a conversation's earlier turn) reserves blocks only for the
/// rest, and the prefill engine exports only those: the continuation is the same as a single engine's.
/// </summary>
public sealed class DeltaTransferTests
{
    static readonly SamplingParams Greedy = SamplingParams.Greedy(12) with { IgnoreEos = true };
    static readonly SamplingParams Seeded = new() { Temperature = 0.9, TopP = 0.9, Seed = 7, MaxTokens = 12, IgnoreEos = true };

    public static TheoryData<int, bool> Cases => new() { { 1, false }, { 4, false }, { 1, true }, { 4, true } };

    [Theory]
    [MemberData(nameof(Cases))]
    public void NextTurn_MovesOnlyTheBlocksTheDecodeEngineLacks_AndContinuesIdentically(int layerGroups, bool seeded)
    {
        var sampling = seeded ? Seeded : Greedy;
        using var prefill = TestModels.Engine();
        using var decode = TestModels.Engine();
        using var single = TestModels.Engine();
        // Turn 1 ran on the decode engine: its prompt and answer are in its prefix cache.
        var turn1 = TestModels.Prompt(45, 3);
        var answer = decode.Generate([turn1], Greedy)[0];
        int[] turn2 = [.. turn1, .. answer, .. TestModels.Prompt(21, 4)];
        var expected = single.Generate([turn2], sampling)[0];

        Assert.True(decode.TryReserveImport("r", turn2, sampling));
        var cached = decode.ImportCachedTokens("r");
        // 45 + 12 tokens of turn 1 fill 3 blocks of 16.
        Assert.Equal(48, cached);

        // One export per layer group: as the forward pass computes them (4 groups), or after the prefill.
        var exports = new List<KvExport>();
        if (layerGroups == 4)
            prefill.KvExported = exports.Add;
        prefill.AddRequest("r", turn2, sampling, holdAfterPrefill: true, receiverCachedTokens: cached);
        var first = prefill.Step().Single();
        if (layerGroups == 1)
            exports.Add(prefill.ExportKv("r", 0, prefill.Config.NumLayers));
        Assert.Equal(layerGroups, exports.Count);
        var blocks = (turn2.Length + 15) / 16;
        foreach (var e in exports)
        {
            Assert.Equal(3, e.FirstBlock);
            Assert.Equal(blocks - 3, e.NumBlocks);
            decode.ImportKv("r", e.FirstLayer, e.EndLayer, e.Bytes);
            e.Dispose();
        }
        prefill.Release("r");

        var tokens = new List<int>(decode.CompleteImport("r", first.NewTokenIds[0], first.NewLogprobs?[0]).NewTokenIds);
        while (decode.HasUnfinishedRequests)
            tokens.AddRange(decode.Step().SelectMany(o => o.NewTokenIds));
        Assert.Equal(expected, tokens);
        Assert.Equal(decode.NumTotalBlocks, decode.NumFreeBlocks);
        Assert.Equal(prefill.NumTotalBlocks, prefill.NumFreeBlocks);
    }

    [Fact]
    public void ALocalExportFromAnotherBlock_IsRefused()
    {
        using var prefill = TestModels.Engine();
        using var decode = TestModels.Engine();
        var prompt = TestModels.Prompt(40, 5);
        decode.Generate([prompt], Greedy);
        Assert.True(decode.TryReserveImport("r", prompt, Greedy));
        Assert.Equal(32, decode.ImportCachedTokens("r"));

        // A sender that did not skip the cached blocks sends the wrong amount: refused, nothing written.
        using var whole = ExportWhole(prefill, prompt);
        var e = Assert.Throws<ArgumentException>(() => decode.ImportKv("r", whole));
        Assert.Contains("cached here", e.Message);
        Assert.True(decode.Abort("r"));
        Assert.Equal(decode.NumTotalBlocks, decode.NumFreeBlocks);
    }

    [Theory]
    [InlineData(8)]
    [InlineData(-16)]
    [InlineData(48)]
    public void ReceiverCachedTokens_MustBeWholeBlocksBeforeTheLastToken(int tokens)
    {
        using var prefill = TestModels.Engine();
        Assert.Throws<ArgumentOutOfRangeException>(() => prefill.AddRequest("r", TestModels.Prompt(48, 1), Greedy, holdAfterPrefill: true, receiverCachedTokens: tokens));
        Assert.Throws<ArgumentOutOfRangeException>(() => prefill.AddRequest("s", TestModels.Prompt(60, 1), Greedy, holdAfterPrefill: false, receiverCachedTokens: 16));
    }

    [Fact]
    public void Journal_PublishesTheHashesTheRouterComputes_AndTheirEviction()
    {
        using var engine = TestModels.Engine(numBlocks: 8);
        var journal = engine.PrefixCache;
        Assert.Empty(journal.Take(snapshot: false).Added);

        var prompt = TestModels.Prompt(50, 9);
        engine.Generate([prompt], SamplingParams.Greedy(1) with { IgnoreEos = true });
        var changes = journal.Take(snapshot: false);
        // The router hashes a prompt's blocks before its last token the same way.
        Assert.Equal(BlockHashes.OfPrompt(prompt, 16), changes.Added);
        Assert.Empty(changes.Removed);
        Assert.Equal(3, changes.Added.Length);
        Assert.Empty(journal.Take(snapshot: false).Added);

        // Another prompt that needs the whole pool evicts them.
        engine.Generate([TestModels.Prompt(120, 10)], SamplingParams.Greedy(1) with { IgnoreEos = true });
        var later = journal.Take(snapshot: false);
        Assert.Equal(BlockHashes.OfPrompt(prompt, 16).Order(), later.Removed.Order());
        var snapshot = journal.Take(snapshot: true);
        Assert.True(snapshot.Snapshot);
        Assert.Equal(engine.NumCachedBlocks, snapshot.Added.Length);
        Assert.Equal(journal.Epoch, snapshot.Epoch);
    }

    [Fact]
    public void Lookups_CountAdmissionsAndTheirCachedTokens()
    {
        using var engine = TestModels.Engine();
        var prompt = TestModels.Prompt(40, 2);
        engine.Generate([prompt], Greedy);
        engine.Generate([prompt], Greedy);
        Assert.Equal(2, engine.PrefixLookups);
        Assert.Equal(32, engine.PrefixHitTokens);
    }

    [Fact]
    public void PendingPrefillTokens_LeaveOutAWaitingPromptsCachedPrefix()
    {
        // What the router weighs as a worker's queue: a conversation's next turn waiting here costs only its new tokens.
        using var engine = TestModels.Engine();
        var turn1 = TestModels.Prompt(40, 6);
        engine.Generate([turn1], Greedy);
        engine.AddRequest("next", [.. turn1, .. TestModels.Prompt(30, 7)], Greedy);
        engine.AddRequest("fresh", TestModels.Prompt(50, 8), Greedy);
        Assert.Equal(70 - 32 + 50, engine.NumPendingPrefillTokens);
        engine.Step();
        Assert.Equal(0, engine.NumPendingPrefillTokens);
    }

    static KvExport ExportWhole(LlmEngine prefill, int[] prompt)
    {
        prefill.AddRequest("w", prompt, Greedy, holdAfterPrefill: true);
        prefill.Step();
        return prefill.ExportKv("w", 0, prefill.Config.NumLayers);
    }
}
