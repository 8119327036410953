namespace Serving.LoadTest.Soak.Checks;

internal enum CheckStatus
{
    Pass,
    Fail,
    /// <summary>Nothing to judge by: the soak cannot see the server's processes, logs or KV gauges.</summary>
    Skipped,
}
