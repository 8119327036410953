namespace Serving.ChatTemplates.Evaluation;

// A Python tuple: a list everywhere except in str()/repr(), where it prints as (a, b).
internal sealed class TupleValue(IEnumerable<object?> items) : List<object?>(items);
