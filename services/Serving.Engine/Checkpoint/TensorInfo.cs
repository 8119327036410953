namespace Serving.Engine.Checkpoint;

/// <summary>Name, element type and shape of one stored tensor.</summary>
public sealed record TensorInfo(string Name, SafeTensorDType DType, long[] Shape)
{
    public long ElementCount => Shape.Aggregate(1L, (a, b) => a * b);
}
