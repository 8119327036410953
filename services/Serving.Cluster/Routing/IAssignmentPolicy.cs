namespace Serving.Cluster.Routing;

/// <summary>Chooses one worker among live candidates of the needed role. Chosen by name in configuration.</summary>
public interface IAssignmentPolicy
{
    string Name { get; }

    /// <summary>
    /// Whether it weighs what workers' prefix caches hold: then the short-prompt rule (a decode worker prefills a short
    /// prompt itself) counts the tokens the chosen decode worker does not hold, not the whole prompt.
    /// </summary>
    bool WeighsCache => false;

    WorkerState Choose(IReadOnlyList<WorkerState> candidates, RoutingPrompt prompt);
}
