namespace Serving.LoadTest.Tests.Support;

/// <summary>A clock that moves only when the test sets it.</summary>
internal sealed class ManualTime : TimeProvider
{
    long ticks;

    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    public override long GetTimestamp() => ticks;

    public void Set(TimeSpan sinceStart) => ticks = sinceStart.Ticks;
}
