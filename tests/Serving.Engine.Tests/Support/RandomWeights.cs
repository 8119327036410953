using Serving.Model.Config;
using Serving.Engine.Model;
using TorchSharp;
using static TorchSharp.torch;

namespace Serving.Engine.Tests.Support;

/// <summary>Seeded in-memory weights for engine tests that do not need a checkpoint on disk.</summary>
internal sealed class RandomWeights : IWeightSource
{
    readonly Dictionary<string, Tensor> tensors = [];

    public RandomWeights(ModelConfig config, long seed = 1)
    {
        var gen = new torch.Generator((ulong)seed);
        foreach (var (name, shape) in LlamaWeights.ExpectedShapes(config).OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            var t = name.EndsWith("norm.weight", StringComparison.Ordinal)
                ? torch.ones(shape).add_(torch.randn(shape, generator: gen).mul_(0.1))
                : name.Contains("embed", StringComparison.Ordinal) || name.StartsWith("lm_head", StringComparison.Ordinal)
                    ? torch.randn(shape, generator: gen).mul_(0.5)
                    : torch.randn(shape, generator: gen).mul_(1.0 / Math.Sqrt(shape[^1]));
            tensors[name] = t;
        }
    }

    public IReadOnlyCollection<string> Names => tensors.Keys;

    public Tensor Load(string name, ScalarType dtype) => tensors[name].to(dtype, copy: true);

    public void Validate(IReadOnlyDictionary<string, long[]> expected)
    {
        foreach (var (name, shape) in expected)
            if (!tensors.TryGetValue(name, out var t) || !t.shape.SequenceEqual(shape))
                throw new InvalidDataException($"tensor {name} missing or mis-shaped.");
    }
}
