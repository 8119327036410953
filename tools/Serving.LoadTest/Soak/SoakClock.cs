namespace Serving.LoadTest.Soak;

/// <summary>Seconds since the soak began, from one monotonic clock shared by requests, faults, log lines and RSS samples.</summary>
internal sealed class SoakClock(TimeProvider time)
{
    readonly long start = time.GetTimestamp();

    public static SoakClock StartNow() => new(TimeProvider.System);

    public double Seconds => time.GetElapsedTime(start).TotalSeconds;
}
