namespace Serving.Planning.Model;

/// <summary>One measured decode step of <paramref name="BatchSize"/> requests over <paramref name="ContextTokens"/> cached tokens.</summary>
public sealed record DecodePoint(int BatchSize, long ContextTokens, double Seconds);
