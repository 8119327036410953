namespace Serving.ChatTemplates.Evaluation;

// A rendering problem not yet tied to a place; the evaluator adds the line and column of the failing expression.
internal sealed class TemplateError(string problem) : Exception(problem);
