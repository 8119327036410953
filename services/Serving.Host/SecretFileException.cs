namespace Serving.Host;

/// <summary>A secret file that is missing or empty; the message names the option and the path, never the content.</summary>
internal sealed class SecretFileException(string message) : Exception(message);
