using Microsoft.Extensions.Options;
using Orleans.Clustering.Redis;
using Orleans.Configuration;
using StackExchange.Redis;

namespace Serving.Host.Clustering;

/// <summary>
/// Writes the Orleans membership table back when Redis has lost it (restarted without persistence, flushed, failed over
/// to an empty replica). Orleans 10's Redis provider never re-creates a lost table: the running silos fail every
/// refresh ("version is missing") and heartbeat, keep their old view, and never see a silo that starts afterwards —
/// which creates a fresh table at version 0 and forms a cluster of its own, router included. So each silo keeps a
/// copy of the table as Redis last held it, and the first running silo to find its own row gone writes the copy back,
/// keeping any row written since, at a version above every view: the running silos accept it, and a process that
/// starts afterwards reads it and joins them.
/// </summary>
internal sealed partial class MembershipTableRestorer(
    IOptions<RedisClusteringOptions> redisOptions,
    IOptions<ClusterOptions> clusterOptions,
    ILocalSiloDetails silo,
    IClusterMembershipService membership,
    TimeProvider time,
    ILogger<MembershipTableRestorer> logger) : BackgroundService
{
    /// <summary>How often the table is checked: a lost table is back within this of Redis answering again.</summary>
    static readonly TimeSpan Period = TimeSpan.FromSeconds(1);

    /// <summary>
    /// The copy is read again when the table's version moves, and at least this often, so the heartbeat times it would
    /// write back are recent (they change without a version change).
    /// </summary>
    static readonly TimeSpan CopyMaxAge = TimeSpan.FromSeconds(10);

    const string VersionField = "Version";

    // Atomic, so two silos that find the table gone at once write it once: the second finds its row back and stops.
    // A row written since the loss (a silo that joined meanwhile) is kept; the version goes above both the table's
    // and the copy's, which a silo's view never exceeds, so every running silo takes the table as newer than its view.
    const string RestoreScript = """
        if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 1 then
            return -1
        end
        local version = math.max(tonumber(redis.call('HGET', KEYS[1], 'Version') or '0'), tonumber(ARGV[2])) + 1
        for i = 3, #ARGV, 2 do
            redis.call('HSETNX', KEYS[1], ARGV[i], ARGV[i + 1])
        end
        redis.call('HSET', KEYS[1], 'Version', tostring(version))
        return version
        """;

    readonly RedisKey key = redisOptions.Value.CreateRedisKey(clusterOptions.Value);
    readonly RedisValue self = silo.SiloAddress.ToString();
    HashEntry[] copy = [];
    long copyVersion = -1;
    DateTimeOffset copiedAt;
    bool failing;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var configuration = (redisOptions.Value.ConfigurationOptions ?? throw new InvalidOperationException("Redis clustering has no configuration.")).Clone();
        // Started with the silo, which has just reached Redis; from then on the connection retries on its own.
        configuration.AbortOnConnectFail = false;
        await using var connection = await ConnectionMultiplexer.ConnectAsync(configuration);
        var db = connection.GetDatabase();
        using var timer = new PeriodicTimer(Period, time);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await CheckAsync(db, stoppingToken);
                if (failing)
                    Log.Recovered(logger);
                failing = false;
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                // Redis down, mostly: Orleans' own membership warns about that loudly; one line here says the guard
                // waits it out. Nothing stops the process from here.
                if (!failing)
                    Log.Failing(logger, e.Message);
                failing = true;
            }
        }
    }

    /// <summary>One check: copy the table, or write the copy back if this silo's row is gone (a tick of the loop).</summary>
    internal async Task CheckAsync(IDatabase db, CancellationToken cancellationToken)
    {
        // Joining or leaving, Orleans writes this silo's row itself.
        if (membership.CurrentSnapshot.GetSiloStatus(silo.SiloAddress) != SiloStatus.Active)
            return;
        var row = await db.HashGetAsync(key, [VersionField, self]);
        if (row[1].HasValue)
        {
            var version = (long)row[0];
            if (version != copyVersion || time.GetUtcNow() - copiedAt > CopyMaxAge)
                await CopyAsync(db);
            // Ahead of this silo's view: a silo wrote the table back, or another joined meanwhile; look now rather
            // than at the next periodic refresh (a minute by default).
            if (version > membership.CurrentSnapshot.Version.Value)
                await membership.Refresh(cancellationToken: cancellationToken);
            return;
        }

        if (copy.Length == 0)
            return;
        var floor = Math.Max(copyVersion, membership.CurrentSnapshot.Version.Value);
        RedisValue[] arguments = [self, floor, .. copy.SelectMany(e => new[] { e.Name, e.Value })];
        var written = (long)await db.ScriptEvaluateAsync(RestoreScript, [key], arguments);
        if (written < 0)
            return;
        Log.Restored(logger, copy.Length, written);
        await membership.Refresh(cancellationToken: cancellationToken);
    }

    async Task CopyAsync(IDatabase db)
    {
        var all = await db.HashGetAllAsync(key);
        var version = all.FirstOrDefault(e => e.Name == VersionField).Value;
        // Read between the check and a loss: keep the previous copy.
        if (!version.HasValue || !all.Any(e => e.Name == self))
            return;
        copy = all.Where(e => e.Name != VersionField).ToArray();
        copyVersion = (long)version;
        copiedAt = time.GetUtcNow();
    }

    static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Warning, Message = "Redis had lost the membership table (restarted without persistence?): wrote back the {Rows} rows this silo last saw, at version {Version}.")]
        public static partial void Restored(ILogger logger, int rows, long version);

        [LoggerMessage(Level = LogLevel.Information, Message = "Membership table check failed ({Reason}); trying again every second.")]
        public static partial void Failing(ILogger logger, string reason);

        [LoggerMessage(Level = LogLevel.Information, Message = "Membership table check works again.")]
        public static partial void Recovered(ILogger logger);
    }
}
