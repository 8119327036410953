using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;

namespace Serving.Tools.Shared;

/// <summary>
/// What the benchmarks' command lines share (compiled into each): the exit code of bad arguments, checked values, and
/// lists in one comma-separated token as the tools have always taken them (a list option states its default in its
/// description: help would show a default list as "1|2|3").
/// </summary>
internal static class ToolCommandLine
{
    /// <summary>Parses and runs <paramref name="args"/>; bad arguments print the error and the help and exit 2, as the tools always have (System.CommandLine's own code is 1).</summary>
    public static async Task<int> InvokeAsync(RootCommand root, string[] args)
    {
        var parse = root.Parse(args);
        var code = await parse.InvokeAsync();
        return parse.Errors.Count > 0 ? 2 : code;
    }

    /// <summary>Reads the value (invariant culture) and refuses one <paramref name="valid"/> rejects, saying "--name <paramref name="rule"/>, not 'VALUE'".</summary>
    public static Option<T> Check<T>(this Option<T> option, Func<T, bool> valid, string rule) where T : IParsable<T>
    {
        option.CustomParser = result =>
        {
            var text = result.Tokens.Count == 1 ? result.Tokens[0].Value : "";
            if (T.TryParse(text, CultureInfo.InvariantCulture, out var value) && valid(value))
                return value;
            result.AddError($"{option.Name} {rule}, not '{text}'.");
            return default;
        };
        return option;
    }

    /// <summary>Integers in one comma-separated token ("64,256,1024"), each one <paramref name="valid"/>; else an error saying <paramref name="rule"/>.</summary>
    public static int[]? IntList(ArgumentResult result, Func<int, bool> valid, string rule)
    {
        var values = Items(result).Select(item => int.TryParse(item, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) && valid(n) ? n : (int?)null).ToArray();
        if (values.Length > 0 && values.All(v => v is not null))
            return [.. values.Select(v => v!.Value)];
        result.AddError($"{Name(result)} {rule}, not '{Given(result)}'.");
        return null;
    }

    /// <summary>Names in one comma-separated token ("push,pull"), each one of <paramref name="allowed"/>.</summary>
    public static string[]? NameList(ArgumentResult result, IReadOnlyCollection<string> allowed)
    {
        var names = Items(result);
        if (names.Length > 0 && names.All(allowed.Contains))
            return names;
        result.AddError($"{Name(result)} takes a comma-separated subset of {string.Join(',', allowed)}, not '{Given(result)}'.");
        return null;
    }

    static string[] Items(ArgumentResult result) => [.. result.Tokens.SelectMany(t => t.Value.Split(',', StringSplitOptions.RemoveEmptyEntries))];

    static string Given(ArgumentResult result) => string.Join(' ', result.Tokens.Select(t => t.Value));

    static string Name(ArgumentResult result) => result.Parent is OptionResult option ? option.Option.Name : result.Argument.Name;
}
