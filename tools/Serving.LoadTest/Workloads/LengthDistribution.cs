namespace Serving.LoadTest.Workloads;

internal enum LengthDistribution
{
    Fixed,
    Uniform,
    LogNormal,
}
