namespace Serving.ChatTemplates.Tests.Support;

// strftime_now reads local time; pin both the instant and the zone.
internal sealed class FixedClock(DateTimeOffset now) : TimeProvider
{
    public static readonly FixedClock Default = new(new DateTimeOffset(2024, 9, 5, 14, 3, 7, TimeSpan.Zero));

    public override DateTimeOffset GetUtcNow() => now;

    public override TimeZoneInfo LocalTimeZone => TimeZoneInfo.Utc;
}
