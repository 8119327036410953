using System.Text;

namespace Serving.ChatTemplates.Evaluation;

// Python methods templates call on strings (.strip(), .split(), ...), dicts (.items(), .get(), ...) and loop.cycle().
internal static class Methods
{
    public static object? Call(object? target, string name, Arguments arguments) => target switch
    {
        string s => CallString(s, name, arguments),
        OrderedDictionary<string, object?> dict => CallDict(dict, name, arguments),
        LoopContext loop when name == "cycle" => loop.Cycle(arguments),
        Undefined undefined => throw new TemplateError($"cannot call '{name}' on '{undefined.Hint}', which is undefined"),
        _ => throw new TemplateError($"the {PyValue.TypeName(target)} method '{name}' is not supported"),
    };

    public static string Strip(string value, object? chars, bool left, bool right)
    {
        if (chars is null or Undefined)
            return left && right ? value.Trim() : left ? value.TrimStart() : value.TrimEnd();
        var set = PyText.Str(chars).ToCharArray();
        return left && right ? value.Trim(set) : left ? value.TrimStart(set) : value.TrimEnd(set);
    }

    public static string Capitalize(string value) =>
        value.Length == 0 ? value : char.ToUpperInvariant(value[0]) + value[1..].ToLowerInvariant();

    public static string Replace(string value, string old, string replacement, long count)
    {
        if (old.Length == 0)
            throw new TemplateError("replacing an empty string is not supported");
        // A long replacement for a short, frequent text multiplies the length: checked as the result grows.
        var budget = BudgetState.Current;
        var builder = new StringBuilder();
        var position = 0;
        for (var done = 0L; count < 0 || done < count; done++)
        {
            var found = value.IndexOf(old, position, StringComparison.Ordinal);
            if (found < 0)
                break;
            budget.CheckLength((long)builder.Length + (found - position) + replacement.Length);
            builder.Append(value, position, found - position).Append(replacement);
            position = found + old.Length;
        }

        budget.CheckLength((long)builder.Length + (value.Length - position));
        return builder.Append(value, position, value.Length - position).ToString();
    }

    private static object? CallString(string s, string name, Arguments a) => name switch
    {
        "strip" => Strip(s, a.Get(0, "chars"), left: true, right: true),
        "lstrip" => Strip(s, a.Get(0, "chars"), left: true, right: false),
        "rstrip" => Strip(s, a.Get(0, "chars"), left: false, right: true),
        "split" => Split(s, a.Get(0, "sep"), a.GetInteger(1, "maxsplit", -1)),
        "splitlines" => s.Split('\n').Select(line => (object?)line.TrimEnd('\r')).SkipLast(s.EndsWith('\n') ? 1 : 0).ToList(),
        "startswith" => Affixes(a.Get(0, "prefix")).Any(p => s.StartsWith(p, StringComparison.Ordinal)),
        "endswith" => Affixes(a.Get(0, "suffix")).Any(p => s.EndsWith(p, StringComparison.Ordinal)),
        "upper" => s.ToUpperInvariant(),
        "lower" => s.ToLowerInvariant(),
        "title" => Title(s),
        "capitalize" => Capitalize(s),
        "replace" => Replace(s, a.GetString(0, "old"), a.GetString(1, "new"), a.GetInteger(2, "count", -1)),
        "find" => (long)s.IndexOf(a.GetString(0, "sub"), StringComparison.Ordinal),
        "count" => a.GetString(0, "sub") is { Length: > 0 } sub ? (long)((s.Length - s.Replace(sub, "", StringComparison.Ordinal).Length) / sub.Length) : s.Length + 1L,
        "join" => PyText.Join(s, PyValue.Iterate(a.Get(0, "iterable"))),
        _ => throw new TemplateError($"the str method '{name}' is not supported"),
    };

    private static object? CallDict(OrderedDictionary<string, object?> dict, string name, Arguments a) => name switch
    {
        "items" => dict.Select(e => (object?)new TupleValue([e.Key, e.Value])).ToList(),
        "keys" => dict.Keys.Cast<object?>().ToList(),
        "values" => dict.Values.ToList(),
        "get" => a.Get(0, "key") is string key && dict.TryGetValue(key, out var value) ? value : a.Get(1, "default"),
        _ => throw new TemplateError($"the dict method '{name}' is not supported"),
    };

    // str.split: no separator splits on whitespace runs and drops empty parts.
    private static List<object?> Split(string s, object? separator, long maxSplit)
    {
        if (separator is string sep)
        {
            if (sep.Length == 0)
                throw new TemplateError("split() separator must not be empty");
            var parts = maxSplit < 0 ? s.Split(sep) : s.Split(sep, (int)Math.Min(maxSplit, int.MaxValue - 1) + 1);
            return parts.Cast<object?>().ToList();
        }

        // Walks by index: cutting the rest off as a new string at every word would be quadratic in the text.
        var result = new List<object?>();
        var start = SkipWhiteSpace(s, 0);
        while (start < s.Length)
        {
            if (maxSplit >= 0 && result.Count == maxSplit)
            {
                result.Add(s[start..]);
                break;
            }

            var end = start;
            while (end < s.Length && !char.IsWhiteSpace(s[end]))
                end++;
            result.Add(s[start..end]);
            start = SkipWhiteSpace(s, end);
        }

        return result;
    }

    private static int SkipWhiteSpace(string s, int from)
    {
        while (from < s.Length && char.IsWhiteSpace(s[from]))
            from++;
        return from;
    }

    private static IEnumerable<string> Affixes(object? value) =>
        value is List<object?> options ? options.Select(PyText.Str) : [PyText.Str(value)];

    // str.title: a letter is upper-cased after a non-letter, lower-cased after a letter.
    private static string Title(string s)
    {
        var chars = s.ToCharArray();
        var afterLetter = false;
        for (var i = 0; i < chars.Length; i++)
        {
            chars[i] = afterLetter ? char.ToLowerInvariant(chars[i]) : char.ToUpperInvariant(chars[i]);
            afterLetter = char.IsLetter(chars[i]);
        }

        return new string(chars);
    }
}
