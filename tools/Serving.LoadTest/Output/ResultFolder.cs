using Serving.Planning.LoadTests;
using Serving.Tools.Shared;

namespace Serving.LoadTest.Output;

/// <summary>What a result's folder holds: result.json, summary.md beside it, and the plots.</summary>
internal static class ResultFolder
{
    const string ResultName = "result.json";
    const string SummaryName = "summary.md";

    /// <summary>Writes the result with its extras, its summary and, when asked, its plots into <paramref name="folder"/> (created).</summary>
    public static void Write(string folder, LoadTestResult result, bool plots, ResultExtras? extras = null)
    {
        extras ??= ResultExtras.None;
        ResultWriter.Write(Path.Combine(folder, ResultName), ResultJson.Compose(result, extras), MarkdownReport.Of(result, extras), SummaryName);
        if (plots)
            WritePlots(folder, result);
    }

    /// <summary>Writes the summary and the plots of a result read back, into <paramref name="folder"/> (created).</summary>
    public static void Redraw(string folder, LoadTestResult result, ResultExtras? extras = null)
    {
        ResultWriter.WriteMarkdown(Path.Combine(folder, SummaryName), MarkdownReport.Of(result, extras ?? ResultExtras.None));
        WritePlots(folder, result);
    }

    static void WritePlots(string folder, LoadTestResult result)
    {
        foreach (var png in Plots.Write(Path.GetFullPath(folder), result))
            Console.WriteLine($"wrote {png}");
    }
}
