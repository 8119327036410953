using System.Threading.Channels;
using Serving.Engine.Core;

namespace Serving.Worker.Runtime;

/// <summary>
/// Blocks reserved for a request whose KV comes from a prefill worker: its outputs, and the leading tokens this
/// worker's prefix cache already held (whole blocks), which the transfer skips.
/// </summary>
public sealed record ImportReservation(ChannelReader<RequestOutput> Outputs, int CachedTokens);
