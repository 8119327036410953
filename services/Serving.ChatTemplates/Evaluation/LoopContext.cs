namespace Serving.ChatTemplates.Evaluation;

// The "loop" variable inside a for body.
internal sealed class LoopContext(IReadOnlyList<object?> items)
{
    public int Index0 { get; set; }

    public object? Get(string name) => name switch
    {
        "index" => (long)Index0 + 1,
        "index0" => (long)Index0,
        "revindex" => (long)(items.Count - Index0),
        "revindex0" => (long)(items.Count - Index0 - 1),
        "first" => Index0 == 0,
        "last" => Index0 == items.Count - 1,
        "length" => (long)items.Count,
        "depth" => 1L,
        "depth0" => 0L,
        "previtem" => Index0 > 0 ? items[Index0 - 1] : new Undefined("loop.previtem"),
        "nextitem" => Index0 + 1 < items.Count ? items[Index0 + 1] : new Undefined("loop.nextitem"),
        _ => new Undefined("loop." + name),
    };

    public object? Cycle(Arguments arguments)
    {
        if (arguments.Positional.Count == 0)
            throw new TemplateError("loop.cycle() needs at least one value");
        return arguments.Positional[Index0 % arguments.Positional.Count];
    }
}
