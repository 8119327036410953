namespace Serving.LoadTest.Soak.Checks;

/// <summary>One line of the verdict: what was checked, whether it held, and the figures behind it.</summary>
internal sealed record SoakCheck(string Name, CheckStatus Status, string Detail);
