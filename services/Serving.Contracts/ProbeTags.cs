namespace Serving.Contracts;

/// <summary>Which probe a health check belongs to: /livez (restart the pod when failing) or /readyz (route to it only when passing).</summary>
public static class ProbeTags
{
    public const string Live = "live";
    public const string Ready = "ready";
}
