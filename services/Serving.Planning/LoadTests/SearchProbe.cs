namespace Serving.Planning.LoadTests;

/// <summary>
/// One run of the search: the rate offered, the rate the server achieved, the attainment, and what it missed (empty:
/// it passed). Result files written before offered and achieved were told apart read back with neither (0, null).
/// </summary>
public sealed record SearchProbe(double Rate, double Achieved, double Attainment, bool Passed, IReadOnlyList<string> Misses);
