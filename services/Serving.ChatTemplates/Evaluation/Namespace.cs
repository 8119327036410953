namespace Serving.ChatTemplates.Evaluation;

// namespace(...): the one mutable object templates get, so a loop body can update state the loop's scope would hide.
internal sealed class Namespace
{
    public OrderedDictionary<string, object?> Attributes { get; } = new(StringComparer.Ordinal);
}
