using Serving.Model.Sampling;

namespace Serving.Engine.Core;

public sealed partial class LlmEngine
{
    /// <summary>Runs the given prompts to completion together (offline batch generation) and returns each one's output tokens.</summary>
    public IReadOnlyList<IReadOnlyList<int>> Generate(IReadOnlyList<IReadOnlyList<int>> prompts, SamplingParams sampling)
    {
        var ids = prompts.Select((_, i) => $"generate-{Guid.NewGuid():N}-{i}").ToArray();
        var outputs = ids.ToDictionary(id => id, _ => new List<int>());
        for (var i = 0; i < prompts.Count; i++)
            AddRequest(ids[i], prompts[i], sampling);
        while (HasUnfinishedRequests)
            foreach (var o in Step())
                if (outputs.TryGetValue(o.RequestId, out var list))
                    list.AddRange(o.NewTokenIds);
        return ids.Select(id => (IReadOnlyList<int>)outputs[id]).ToArray();
    }
}
