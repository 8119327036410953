namespace Serving.Planning.Model;

/// <summary>A fitted model with its mean absolute percentage error on the points it was fitted on and on held-out points.</summary>
public sealed record FitReport<TModel>(TModel Model, double TrainingError, double HeldOutError, int TrainingPoints, int HeldOutPoints);
