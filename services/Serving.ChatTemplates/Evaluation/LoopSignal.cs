namespace Serving.ChatTemplates.Evaluation;

internal enum LoopSignal
{
    None,
    Break,
    Continue,
}
