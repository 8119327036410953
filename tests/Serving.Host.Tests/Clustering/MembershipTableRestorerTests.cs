using System.Collections.Immutable;
using System.Net;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Orleans.Clustering.Redis;
using Orleans.Configuration;
using Serving.Cluster.Tests.Support;
using Serving.Host.Clustering;
using StackExchange.Redis;

namespace Serving.Host.Tests.Clustering;

/// <summary>
/// The restorer against a real Redis, one check at a time, with Orleans' side faked: rows are opaque to it, so any
/// strings stand in for Orleans' JSON. The multi-process tests (Serving.Cluster.Tests/RedisRestartTests) cover a
/// real cluster; this covers the case they cannot time: a silo that joined the empty Redis before the write-back.
/// </summary>
public sealed class MembershipTableRestorerTests : IAsyncLifetime
{
    static readonly ClusterOptions Cluster = new() { ClusterId = "c", ServiceId = "c" };
    static readonly SiloAddress Gateway = Silo(11111), Decode = Silo(11112), Newcomer = Silo(11113);

    RedisServer redis = null!;
    ConnectionMultiplexer connection = null!;
    IDatabase db = null!;
    readonly RedisKey key = RedisClusteringOptions.DefaultCreateRedisKey(Cluster);

    public async Task InitializeAsync()
    {
        redis = await RedisServer.StartAsync();
        connection = await ConnectionMultiplexer.ConnectAsync(redis.Address);
        db = connection.GetDatabase();
    }

    public async Task DisposeAsync()
    {
        await connection.DisposeAsync();
        redis.Dispose();
    }

    [Fact]
    public async Task Check_TableLostAndANewcomerJoinedMeanwhile_WritesTheCopyBackAboveEveryView_KeepingTheNewcomer()
    {
        await db.HashSetAsync(key, [new("Version", 7), new(Gateway.ToString(), "gateway row"), new(Decode.ToString(), "decode row")]);
        var (gateway, gatewayMembership) = Restorer(Gateway, viewVersion: 7);
        var (decode, decodeMembership) = Restorer(Decode, viewVersion: 7);
        await gateway.CheckAsync(db, default);
        await decode.CheckAsync(db, default);

        // Redis restarted empty; a process started at once found no table and made its own (as Orleans does).
        await db.KeyDeleteAsync(key);
        await db.HashSetAsync(key, [new("Version", 1), new(Newcomer.ToString(), "newcomer row")]);
        await gateway.CheckAsync(db, default);
        await decode.CheckAsync(db, default);

        var table = (await db.HashGetAllAsync(key)).ToDictionary(e => e.Name.ToString(), e => e.Value.ToString());
        Assert.Equal("8", table["Version"]);
        Assert.Equal("gateway row", table[Gateway.ToString()]);
        Assert.Equal("decode row", table[Decode.ToString()]);
        Assert.Equal("newcomer row", table[Newcomer.ToString()]);
        // The writer looks at once; the other found its row back (written once) and looks because the table is ahead.
        Assert.Equal(1, gatewayMembership.Refreshes);
        Assert.Equal(1, decodeMembership.Refreshes);
    }

    [Fact]
    public async Task Check_ViewAheadOfTheCopy_WritesAboveTheView()
    {
        await db.HashSetAsync(key, [new("Version", 3), new(Gateway.ToString(), "gateway row")]);
        var (gateway, membership) = Restorer(Gateway, viewVersion: 3);
        await gateway.CheckAsync(db, default);

        // Gossip moved this silo's view past what it copied just before Redis lost the table.
        membership.CurrentSnapshot = Snapshot(Gateway, SiloStatus.Active, 9);
        await db.KeyDeleteAsync(key);
        await gateway.CheckAsync(db, default);

        Assert.Equal("10", (string?)await db.HashGetAsync(key, "Version"));
    }

    [Fact]
    public async Task Check_SiloNotActive_WritesNothing()
    {
        await db.HashSetAsync(key, [new("Version", 3), new(Gateway.ToString(), "gateway row")]);
        var (gateway, membership) = Restorer(Gateway, viewVersion: 3);
        await gateway.CheckAsync(db, default);

        // Leaving: Orleans writes this silo's row itself (as Dead); bringing back an Active copy would undo that.
        membership.CurrentSnapshot = Snapshot(Gateway, SiloStatus.ShuttingDown, 3);
        await db.KeyDeleteAsync(key);
        await gateway.CheckAsync(db, default);

        Assert.False(await db.KeyExistsAsync(key));
    }

    static (MembershipTableRestorer Restorer, FakeMembership Membership) Restorer(SiloAddress silo, long viewVersion)
    {
        var membership = new FakeMembership { CurrentSnapshot = Snapshot(silo, SiloStatus.Active, viewVersion) };
        var restorer = new MembershipTableRestorer(
            Options.Create(new RedisClusteringOptions()), Options.Create(Cluster), new FakeSilo(silo), membership,
            TimeProvider.System, NullLogger<MembershipTableRestorer>.Instance);
        return (restorer, membership);
    }

    static ClusterMembershipSnapshot Snapshot(SiloAddress silo, SiloStatus status, long version) =>
        new(ImmutableDictionary<SiloAddress, ClusterMember>.Empty.Add(silo, new ClusterMember(silo, status, silo.ToString())), new MembershipVersion(version));

    static SiloAddress Silo(int port) => SiloAddress.New(new IPEndPoint(IPAddress.Loopback, port), 1);

    sealed class FakeSilo(SiloAddress address) : ILocalSiloDetails
    {
        public string Name => address.ToString();
        public string ClusterId => Cluster.ClusterId;
        public string DnsHostName => "localhost";
        public SiloAddress SiloAddress => address;
        public SiloAddress GatewayAddress => address;
    }

    sealed class FakeMembership : IClusterMembershipService
    {
        public ClusterMembershipSnapshot CurrentSnapshot { get; set; } = null!;
        public int Refreshes { get; private set; }
        public IAsyncEnumerable<ClusterMembershipSnapshot> MembershipUpdates => throw new NotSupportedException();

        public ValueTask Refresh(MembershipVersion minimumVersion = default, CancellationToken cancellationToken = default)
        {
            Refreshes++;
            return ValueTask.CompletedTask;
        }

        public Task<bool> TryKill(SiloAddress siloAddress) => throw new NotSupportedException();
    }
}
