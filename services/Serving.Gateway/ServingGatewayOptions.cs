namespace Serving.Gateway;

/// <summary>What the gateway serves: the model's name in the API and the folder its tokenizer is read from.</summary>
public sealed record ServingGatewayOptions(string ModelName, string ModelFolder);
