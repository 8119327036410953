using Serving.Model.Sampling;
using Serving.Engine.Tests.Support;

namespace Serving.Engine.Tests.Core;

public sealed class KvTransferTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(4)]
    public void ExportImport_IntoSecondEngine_ContinuesTokenIdentically(int layerGroups)
    {
        using var prefill = TestModels.Engine();
        using var decode = TestModels.Engine();
        using var single = TestModels.Engine();
        var prompt = TestModels.Prompt(45, 7);
        var sampling = SamplingParams.Greedy(24) with { IgnoreEos = true };
        var expected = single.Generate([prompt], sampling)[0];

        prefill.AddRequest("r", prompt, sampling, holdAfterPrefill: true);
        var first = prefill.Step().Single();
        Assert.False(first.Finished);
        Assert.True(decode.TryReserveImport("r", prompt, sampling));
        var layers = prefill.Config.NumLayers;
        for (var g = 0; g < layerGroups; g++)
        {
            int lo = layers * g / layerGroups, hi = layers * (g + 1) / layerGroups;
            using var kv = prefill.ExportKv("r", lo, hi);
            Assert.Equal(prefill.KvLayout, kv.Layout);
            decode.ImportKv("r", lo, hi, kv.Bytes);
        }
        prefill.Release("r");
        Assert.Equal(prefill.NumTotalBlocks, prefill.NumFreeBlocks);

        var tokens = new List<int>(decode.CompleteImport("r", first.NewTokenIds[0]).NewTokenIds);
        while (decode.HasUnfinishedRequests)
            tokens.AddRange(decode.Step().SelectMany(o => o.NewTokenIds));

        Assert.Equal(expected, tokens);
        Assert.Equal(decode.NumTotalBlocks, decode.NumFreeBlocks);
    }

    [Fact]
    public void LayerGroups_AreExportedAsTheyAreComputed_AndImportToTheSameContinuation()
    {
        using var prefill = TestModels.Engine();
        using var decode = TestModels.Engine();
        using var single = TestModels.Engine();
        var prompts = new[] { TestModels.Prompt(33, 1), TestModels.Prompt(70, 2) };
        var sampling = SamplingParams.Greedy(12) with { IgnoreEos = true };

        var exports = new List<Serving.Engine.Core.KvExport>();
        prefill.KvExported = exports.Add;
        prefill.AddRequest("a", prompts[0], sampling, holdAfterPrefill: true);
        prefill.AddRequest("b", prompts[1], sampling, holdAfterPrefill: true);
        var firsts = prefill.Step().ToDictionary(o => o.RequestId, o => o.NewTokenIds[0]);

        // Four groups of two layers per request, in layer order.
        Assert.Equal(8, exports.Count);
        Assert.Equal([0, 2, 4, 6], exports.Where(e => e.RequestId == "a").Select(e => e.FirstLayer));
        for (var i = 0; i < 2; i++)
        {
            var id = i == 0 ? "a" : "b";
            Assert.True(decode.TryReserveImport(id, prompts[i], sampling));
            foreach (var e in exports.Where(e => e.RequestId == id))
                decode.ImportKv(id, e.FirstLayer, e.EndLayer, e.Bytes);
            prefill.Release(id);
            decode.CompleteImport(id, firsts[id]);
        }
        foreach (var e in exports)
            e.Dispose();

        var tokens = new Dictionary<string, List<int>> { ["a"] = [firsts["a"]], ["b"] = [firsts["b"]] };
        while (decode.HasUnfinishedRequests)
            foreach (var o in decode.Step())
                tokens[o.RequestId].AddRange(o.NewTokenIds);
        var expected = single.Generate(prompts, sampling);
        Assert.Equal(expected[0], tokens["a"]);
        Assert.Equal(expected[1], tokens["b"]);
        Assert.Equal(prefill.NumTotalBlocks, prefill.NumFreeBlocks);
    }

    [Fact]
    public void Import_WithWrongByteCount_IsRefusedWithAClearError()
    {
        using var decode = TestModels.Engine();
        var prompt = TestModels.Prompt(20, 1);
        Assert.True(decode.TryReserveImport("r", prompt, SamplingParams.Greedy(4)));
        var e = Assert.Throws<ArgumentException>(() => decode.ImportKv("r", 0, 8, new byte[100]));
        Assert.Contains("should be", e.Message);
        Assert.True(decode.Abort("r"));
        Assert.Equal(decode.NumTotalBlocks, decode.NumFreeBlocks);
    }
}
