namespace Serving.LoadTest.Soak.Checks;

/// <summary>One line a server process wrote, with its source and when the soak read it (soak seconds).</summary>
internal sealed record LogLine(string Source, double AtS, string Text);
