using System.Globalization;
using System.Text;
using Serving.LoadTest.Soak.Client;

namespace Serving.LoadTest.Soak.Output;

/// <summary>requests.csv beside the result: one line per request, to find when and how any one ended.</summary>
internal static class OutcomeCsv
{
    public static string Of(IEnumerable<SoakOutcome> outcomes)
    {
        var csv = new StringBuilder("index,start_s,end_s,outcome,api,stream,n,prompt_words,invalid,status,chunks,detail\n");
        foreach (var o in outcomes)
            csv.Append(CultureInfo.InvariantCulture,
                $"{o.Index},{o.StartS:0.000},{o.EndS:0.000},{o.Kind.ToString().ToLowerInvariant()},{o.Api.ToString().ToLowerInvariant()},{(o.Stream ? 1 : 0)},{o.N},{o.PromptWords},{Quote(o.Invalid)},{o.Status},{o.Chunks},{Quote(o.Detail)}\n");
        return csv.ToString();
    }

    static string Quote(string? text) => text is null ? "" : "\"" + text.Replace("\"", "\"\"").Replace('\n', ' ') + "\"";
}
