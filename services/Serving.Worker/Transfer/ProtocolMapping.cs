using Serving.Engine.Cache;
using Serving.Model.Sampling;
using Serving.Protocol.V1;
using ProtoLogprob = Serving.Protocol.V1.TokenLogprob;

namespace Serving.Worker.Transfer;

/// <summary>Converts between the wire messages of serving.v1 and the engine's types.</summary>
internal static class ProtocolMapping
{
    public static Protocol.V1.KvTransferHeader ToProto(this KvTransferHeader h) => new()
    {
        RequestId = h.RequestId,
        TargetWorker = h.TargetWorker,
        ModelFingerprint = h.Layout.ModelFingerprint,
        Dtype = h.Layout.DType,
        BlockSize = h.Layout.BlockSize,
        NumLayers = h.Layout.NumLayers,
        NumKvHeads = h.Layout.NumKvHeads,
        HeadDim = h.Layout.HeadDim,
        TokenCount = h.TokenCount,
        FirstLayer = 0,
        EndLayer = h.Layout.NumLayers,
        TransferToken = h.TransferToken,
        CachedTokens = h.CachedTokens,
    };

    public static KvTransferHeader FromProto(this Protocol.V1.KvTransferHeader h) => new(
        h.RequestId,
        h.TargetWorker,
        new KvLayout(h.NumLayers, h.BlockSize, h.NumKvHeads, h.HeadDim, h.Dtype, h.ModelFingerprint),
        h.TokenCount,
        h.TransferToken,
        h.CachedTokens);

    public static KvTransferDone ToProto(this FirstToken first)
    {
        var done = new KvTransferDone { FirstToken = first.TokenId, PrefillCachedTokens = first.CachedTokens };
        if (first.Logprob is { } lp)
        {
            done.Logprob = new ProtoLogprob { TokenId = lp.TokenId, Logprob = lp.Logprob };
            done.Logprob.TopIds.AddRange(lp.Top.Select(t => t.TokenId));
            done.Logprob.TopLogprobs.AddRange(lp.Top.Select(t => t.Logprob));
        }
        return done;
    }

    public static FirstToken FromProto(this KvTransferDone done) => new(
        done.FirstToken,
        done.Logprob is { } lp
            ? new Serving.Model.Sampling.TokenLogprob(lp.TokenId, lp.Logprob, lp.TopIds.Zip(lp.TopLogprobs).ToArray())
            : null,
        done.PrefillCachedTokens);
}
