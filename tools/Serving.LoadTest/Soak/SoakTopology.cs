namespace Serving.LoadTest.Soak;

internal enum SoakTopology
{
    /// <summary>A server someone else started: --base-url.</summary>
    External,
    /// <summary>One `serving` process with its default roles (gateway, prefill, decode), as the README serves.</summary>
    Embedded,
    /// <summary>Redis, a gateway process and worker processes joined through it, with TLS: worker processes can be killed.</summary>
    Cluster,
}
