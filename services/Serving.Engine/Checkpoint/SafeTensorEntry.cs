namespace Serving.Engine.Checkpoint;

/// <summary>One tensor's header entry; offsets are relative to the start of the data section.</summary>
internal sealed record SafeTensorEntry(TensorInfo Info, long Begin, long End);
