namespace Serving.LoadTest.Search;

/// <summary>One run of the search: the rate tried and the attainment it reached.</summary>
internal sealed record SearchProbe(double Rate, double Attainment, bool Passed);
