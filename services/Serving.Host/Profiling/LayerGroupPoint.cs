namespace Serving.Host.Profiling;

/// <summary>One step of layered prefill with <paramref name="Groups"/> groups on a <paramref name="Tokens"/>-token prompt took <paramref name="Seconds"/>.</summary>
internal sealed record LayerGroupPoint(int Groups, int Tokens, double Seconds);
