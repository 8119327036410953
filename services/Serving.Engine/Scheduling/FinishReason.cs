namespace Serving.Engine.Scheduling;

public enum FinishReason
{
    /// <summary>EOS, a stop token id or a stop string.</summary>
    Stop,
    /// <summary>max_tokens or the model's context length.</summary>
    Length,
    Abort,
}
