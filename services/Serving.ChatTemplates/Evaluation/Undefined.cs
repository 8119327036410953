namespace Serving.ChatTemplates.Evaluation;

// jinja2's default Undefined: renders empty, is falsy, iterates as empty; Hint names what was missing.
internal sealed class Undefined(string hint)
{
    public string Hint { get; } = hint;

    public override string ToString() => "";
}
