using System.Security.Cryptography;
using System.Text;
using Serving.Engine.Cache;

namespace Serving.Worker.Transfer;

/// <summary>
/// Opens a transfer: which request, for which worker, in which layout, for how many prompt tokens, and the
/// assignment's transfer token — issued by the decode worker when it reserves the request's blocks and given only to
/// the prefill worker it calls, so only those two can move this request's KV. <paramref name="CachedTokens"/> leading
/// tokens (whole blocks) are in the receiver's prefix cache already: only the blocks after them move.
/// </summary>
public sealed record KvTransferHeader(string RequestId, string TargetWorker, KvLayout Layout, int TokenCount, string TransferToken, int CachedTokens = 0)
{
    /// <summary>A fresh transfer token: 128 random bits.</summary>
    public static string NewToken() => Convert.ToHexString(RandomNumberGenerator.GetBytes(16));

    /// <summary>Whether <paramref name="presented"/> carries this transfer's token.</summary>
    public bool Admits(KvTransferHeader presented) => TokensMatch(TransferToken, presented.TransferToken);

    /// <summary>Whether a presented token is the issued one, compared in constant time; an empty issued token admits no one.</summary>
    public static bool TokensMatch(string issued, string presented) =>
        issued.Length > 0 && CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(issued), Encoding.ASCII.GetBytes(presented));

    // The token is a capability: it stays out of log lines and exception messages.
    public override string ToString() => $"KvTransferHeader {{ RequestId = {RequestId}, TargetWorker = {TargetWorker}, Layout = {Layout}, TokenCount = {TokenCount}, CachedTokens = {CachedTokens} }}";
}
