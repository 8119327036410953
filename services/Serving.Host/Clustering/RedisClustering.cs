using System.Net;
using StackExchange.Redis;

namespace Serving.Host.Clustering;

/// <summary>A process that joins through Redis (--redis): Orleans membership there, and the guard that keeps it whole.</summary>
internal static class RedisClustering
{
    public static ISiloBuilder UseServingRedisClustering(this ISiloBuilder silo, HostSettings settings, string redis)
    {
        silo.UseRedisClustering(o =>
        {
            var configuration = ConfigurationOptions.Parse(redis);
            if (settings.RedisPassword is { } password)
                configuration.Password = password;
            o.ConfigurationOptions = configuration;
        });
        silo.Configure<Orleans.Configuration.ClusterOptions>(o =>
        {
            o.ClusterId = settings.ClusterId;
            o.ServiceId = settings.ClusterId;
        });
        silo.ConfigureEndpoints(IPAddress.Parse(settings.AdvertiseAddress), settings.SiloPort, settings.OrleansClientPort, listenOnAnyHostAddress: true);
        // Orleans does not re-create a table Redis lost; without this a restart of a Redis that keeps no data splits the cluster.
        silo.Services.AddHostedService<MembershipTableRestorer>();
        return silo;
    }
}
