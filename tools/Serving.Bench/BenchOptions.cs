namespace Serving.Bench;

/// <summary>Settings of one benchmark run (the command line's, see <see cref="BenchCommand"/>).</summary>
internal sealed record BenchOptions
{
    public const string LlamaCppSuite = "llama-cpp";
    public const string DecodeGroupsSuite = "decode-groups";
    public const string SamplingSuite = "sampling";
    public const string StepProfileSuite = "step-profile";

    public int Threads { get; init; } = 2;
    public int Reps { get; init; } = 5;
    public string Out { get; init; } = DefaultOut(LlamaCppSuite);
    public int[] PrefillLengths { get; init; } = [128, 512, 2048];
    public int[] DecodeBatches { get; init; } = [1, 8, 32];
    public int DecodeContext { get; init; } = 512;
    public int StepsPerRep { get; init; } = 8;
    public string Suite { get; init; } = LlamaCppSuite;

    /// <summary>The engine's dtype where a suite runs one (step-profile).</summary>
    public string DType { get; init; } = "float32";

    /// <summary>Where a suite's results go unless --out says.</summary>
    public static string DefaultOut(string suite) =>
        Path.Combine("artifacts", "bench", suite switch
        {
            DecodeGroupsSuite => "decode-groups.json",
            SamplingSuite => "sampling.json",
            StepProfileSuite => "step-profile.json",
            _ => "engine-vs-llamacpp.json",
        });
}
