using System.CommandLine;
using System.Text.RegularExpressions;
using Serving.Engine.DefaultModel;

namespace Serving.Host.Tests.Deployment;

/// <summary>The SERVING_* environment variables `serving` reads, for the deployment files' checks.</summary>
internal static partial class ServingVariables
{
    /// <summary>The variable of every `serving` option (each description ends in "[SERVING_...]"), and the default model's root.</summary>
    public static IReadOnlySet<string> All()
    {
        var root = new RootCommand();
        ServeCommand.Configure(root);
        var names = root.Options.Select(o => OptionVariable().Match(o.Description ?? "")).Where(m => m.Success).Select(m => m.Groups[1].Value).ToHashSet(StringComparer.Ordinal);
        if (!names.Contains("SERVING_REDIS"))
            throw new InvalidOperationException("ServeCommand's option descriptions no longer end in [SERVING_...]; the extraction needs updating.");
        names.Add(DefaultModelStore.RootVariable);
        return names;
    }

    /// <summary>The runtime planner's settings: its grain runs on any silo, so every process needs the same ones.</summary>
    public static bool IsPlannerSetting(string name) =>
        name is "SERVING_PLANNER" or "SERVING_PROFILE"
        || name.StartsWith("SERVING_PLANNER_", StringComparison.Ordinal)
        || name.StartsWith("SERVING_SLO_", StringComparison.Ordinal)
        || name.StartsWith("SERVING_REPLAN_", StringComparison.Ordinal);

    [GeneratedRegex(@"\[(SERVING_[A-Z0-9_]+)\]$")]
    private static partial Regex OptionVariable();
}
