using TorchSharp;

namespace Serving.Engine.Model;

/// <summary>Where a model's named tensors come from (a checkpoint folder, or generated weights in tests).</summary>
public interface IWeightSource
{
    IReadOnlyCollection<string> Names { get; }

    /// <summary>Loads one tensor as a CPU tensor of the given dtype.</summary>
    torch.Tensor Load(string name, torch.ScalarType dtype);

    /// <summary>Throws naming every missing, extra or mis-shaped tensor (expected and found shapes).</summary>
    void Validate(IReadOnlyDictionary<string, long[]> expected);
}
