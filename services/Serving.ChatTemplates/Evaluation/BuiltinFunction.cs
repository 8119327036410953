using Serving.ChatTemplates.Lexing;

namespace Serving.ChatTemplates.Evaluation;

// A global callable (range, namespace, raise_exception, strftime_now); gets the call's position for raise_exception.
internal sealed record BuiltinFunction(string Name, Func<Arguments, SourcePosition, object?> Invoke);
