namespace Serving.Engine.Checkpoint;

/// <summary>A checkpoint file or folder is malformed or does not match what the model expects.</summary>
public sealed class CheckpointException : Exception
{
    public CheckpointException(string message) : base(message) { }

    public CheckpointException(string message, Exception inner) : base(message, inner) { }
}
