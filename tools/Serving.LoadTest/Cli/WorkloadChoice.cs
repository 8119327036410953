using System.CommandLine.Parsing;
using Serving.Planning.LoadTests;

namespace Serving.LoadTest.Cli;

/// <summary>The --workload values: the kinds a result records (Serving.Planning's <see cref="WorkloadKind"/>) and the prefix-cache workloads the load tester builds.</summary>
internal enum WorkloadChoice
{
    Synthetic,
    ShareGpt,
    Trace,
    MultiTurn,
    SharedPrefix,
}

internal static class WorkloadChoices
{
    public const string Names = "synthetic, sharegpt, trace, multi-turn or shared-prefix";

    /// <summary>Reads "multi-turn", "multi_turn", "MultiTurn" alike.</summary>
    public static WorkloadChoice Parse(ArgumentResult result)
    {
        var text = result.Tokens.Count == 1 ? result.Tokens[0].Value : "";
        var key = text.Replace("-", "", StringComparison.Ordinal).Replace("_", "", StringComparison.Ordinal);
        if (key.Length > 0 && char.IsLetter(key[0]) && Enum.TryParse<WorkloadChoice>(key, ignoreCase: true, out var choice))
            return choice;
        result.AddError($"--workload takes {Names}, not '{text}'.");
        return default;
    }
}
