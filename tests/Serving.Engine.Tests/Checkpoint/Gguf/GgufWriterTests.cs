using System.Text;
using LLama;
using LLama.Common;
using LLama.Native;
using Serving.Engine.Checkpoint.Gguf;
using TorchSharp;

namespace Serving.Engine.Tests.Checkpoint.Gguf;

public sealed class GgufWriterTests
{
    [Fact]
    public void Write_DefaultModel_LoadsInLlamaCppWithSameTokensAndFiniteLogits()
    {
        using var dir = new TempFolder();
        string path = dir.File("tiny.gguf");
        GgufWriter.Write(DefaultModelFixture.Folder, path);

        var parameters = new ModelParams(path) { ContextSize = 64, BatchSize = 64, GpuLayerCount = 0, Threads = 2 };
        using var weights = LLamaWeights.LoadFromFile(parameters);
        var vocab = weights.NativeHandle.Vocab;
        Assert.Equal(50257, vocab.Count);
        Assert.Equal(50256, (int?)vocab.EOS);
        Assert.Equal(50256, (int?)vocab.BOS);

        const string text = "Hello world! Crème brûlée, 日本語 🎉 1234567 it's  spaced<|endoftext|>";
        var ours = DefaultModelFixture.Tokenizer.Encode(text);
        var theirs = weights.Tokenize(text, add_bos: false, special: true, Encoding.UTF8).Select(t => (int)t).ToList();
        Assert.Equal(ours, theirs);

        using var context = weights.CreateContext(parameters);
        var batch = new LLamaBatch();
        for (int i = 0; i < ours.Count; i++) batch.Add(ours[i], i, LLamaSeqId.Zero, i == ours.Count - 1);
        Assert.Equal(DecodeResult.Ok, context.Decode(batch));
        var logits = context.NativeHandle.GetLogitsIth(batch.TokenCount - 1).ToArray();
        Assert.Equal(50257, logits.Length);
        Assert.All(logits, l => Assert.True(float.IsFinite(l)));
        Assert.True(logits.Max() - logits.Min() > 1f, "logits should not be flat");
    }

    [Fact]
    public void InterleaveRotaryHalves_MovesSecondHalfNextToFirstWithinEachHead()
    {
        // 2 heads of head_dim 4, one input column: rows [a0 a1 b0 b1 | c0 c1 d0 d1] -> [a0 b0 a1 b1 | c0 d0 c1 d1].
        using var w = torch.arange(8, dtype: torch.ScalarType.Float32).reshape(8, 1);
        using var permuted = GgufWriter.InterleaveRotaryHalves(w, heads: 2);
        Assert.Equal(new[] { 0f, 2, 1, 3, 4, 6, 5, 7 }, permuted.flatten().data<float>().ToArray());

        using var bias = torch.arange(8, dtype: torch.ScalarType.Float32);
        using var permutedBias = GgufWriter.InterleaveRotaryHalves(bias, heads: 2);
        Assert.Equal(new[] { 0f, 2, 1, 3, 4, 6, 5, 7 }, permutedBias.data<float>().ToArray());
    }

    [Fact]
    public void Write_RopeScaledModel_IsRefused()
    {
        using var dir = new TempFolder();
        Serving.Engine.DefaultModel.TinyModelWriter.Write(dir.Path, Serving.Engine.DefaultModel.TinyModelSpec.Llama3Like);
        Assert.Throws<NotSupportedException>(() => GgufWriter.Write(dir.Path, dir.File("x.gguf")));
    }
}
