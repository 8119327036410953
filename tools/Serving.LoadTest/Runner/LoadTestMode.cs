namespace Serving.LoadTest.Runner;

internal enum LoadTestMode
{
    /// <summary>One run with the arrivals given.</summary>
    Run,
    /// <summary>One Poisson run per rate.</summary>
    Sweep,
    /// <summary>Poisson runs chosen by the goodput search.</summary>
    Search,
}
