namespace Serving.ChatTemplates.Evaluation;

// Evaluated arguments of a call, filter, test or method; Get looks a parameter up by position, then by name.
internal sealed class Arguments(IReadOnlyList<object?> positional, IReadOnlyDictionary<string, object?> named)
{
    public static readonly Arguments None = new([], new Dictionary<string, object?>());

    public IReadOnlyList<object?> Positional { get; } = positional;

    public IReadOnlyDictionary<string, object?> Named { get; } = named;

    public object? Get(int index, string name, object? fallback = null)
    {
        if (index < Positional.Count)
            return Positional[index];
        return Named.TryGetValue(name, out var value) ? value : fallback;
    }

    public string GetString(int index, string name, string fallback = "") =>
        Get(index, name) is { } value and not Undefined ? PyText.Str(value) : fallback;

    public long GetInteger(int index, string name, long fallback) => Get(index, name) switch
    {
        null or Undefined => fallback,
        var value => PyValue.ToInteger(value),
    };

    public Arguments Skip(int count) =>
        new(Positional.Count > count ? Positional.Skip(count).ToList() : [], Named);
}
