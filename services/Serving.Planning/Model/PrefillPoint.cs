namespace Serving.Planning.Model;

/// <summary>One measured prefill: a batch of <paramref name="Prompts"/> prompts, <paramref name="Tokens"/> tokens in all with Σlen² = <paramref name="SumSquares"/>, took <paramref name="Seconds"/>.</summary>
public sealed record PrefillPoint(long Tokens, double SumSquares, double Seconds, int Prompts = 1);
