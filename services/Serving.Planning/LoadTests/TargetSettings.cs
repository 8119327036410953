namespace Serving.Planning.LoadTests;

/// <summary>The server under test and how each request asks it for tokens.</summary>
public sealed record TargetSettings
{
    /// <summary>The server's root, ending in '/' (the API is under v1/, the tokenizer at the root, as vLLM serves them).</summary>
    public required Uri BaseUrl { get; init; }
    /// <summary>Null until resolved: the first model of /v1/models.</summary>
    public string? Model { get; init; }
    public ApiKind Api { get; init; } = ApiKind.Completions;
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromMinutes(10);
    /// <summary>Ask the server not to stop at end-of-sequence, so every request produces exactly max_tokens.</summary>
    public bool IgnoreEos { get; init; } = true;
    /// <summary>Also send min_tokens = max_tokens (vLLM's extension; servers without it ignore or refuse it).</summary>
    public bool SendMinTokens { get; init; }
    public double? Temperature { get; init; }

    /// <summary>Accepts http://host:port, with or without a trailing /v1.</summary>
    public static Uri NormalizeBaseUrl(string url)
    {
        var trimmed = url.TrimEnd('/');
        if (trimmed.EndsWith("/v1", StringComparison.Ordinal))
            trimmed = trimmed[..^3];
        return new Uri(trimmed + "/");
    }

    public Uri EndpointUrl => new(BaseUrl, Api == ApiKind.Chat ? "v1/chat/completions" : "v1/completions");
}
