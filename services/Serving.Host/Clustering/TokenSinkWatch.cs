using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Serving.Gateway.Cluster;

namespace Serving.Host.Clustering;

/// <summary>
/// Fails the streams of a worker whose silo membership declares dead, as Orleans fails the calls still waiting on a
/// dead silo: the request then resumes on another worker. A stopping silo is not dead: its workers hand their
/// requests back themselves.
/// </summary>
internal sealed partial class TokenSinkWatch(IClusterMembershipService membership, TokenSink sink, ILogger<TokenSinkWatch> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var dead = new HashSet<SiloAddress>();
        try
        {
            await foreach (var snapshot in membership.MembershipUpdates.WithCancellation(stoppingToken))
            {
                foreach (var member in snapshot.Members.Values)
                {
                    if (member.Status != SiloStatus.Dead || !dead.Add(member.SiloAddress))
                        continue;
                    var failed = sink.Fail(member.SiloAddress);
                    if (failed > 0)
                        Log.SiloDied(logger, member.SiloAddress, failed);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Warning, Message = "Silo {Silo} was declared dead with {Streams} of this gateway's streams open; they resume on other workers.")]
        public static partial void SiloDied(ILogger logger, SiloAddress silo, int streams);
    }
}
