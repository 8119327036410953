namespace Serving.ChatTemplates.Evaluation;

// Variables of one frame; a for loop gets its own, so its sets do not leak out (jinja2's scoping rule).
internal sealed class Scope(Scope? parent)
{
    private readonly Dictionary<string, object?> variables = new(StringComparer.Ordinal);

    public bool TryGet(string name, out object? value)
    {
        for (var scope = this; scope != null; scope = scope.Parent)
        {
            if (scope.variables.TryGetValue(name, out value))
                return true;
        }

        value = null;
        return false;
    }

    public void Set(string name, object? value) => variables[name] = value;

    private Scope? Parent { get; } = parent;
}
