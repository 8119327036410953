namespace Serving.Cluster.Routing;

/// <summary>Chooses one worker among live candidates of the needed role. Chosen by name in configuration.</summary>
public interface IAssignmentPolicy
{
    string Name { get; }

    WorkerState Choose(IReadOnlyList<WorkerState> candidates, int promptTokens);
}
