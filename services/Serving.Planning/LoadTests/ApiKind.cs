namespace Serving.Planning.LoadTests;

/// <summary>Which OpenAI endpoint the requests go to.</summary>
public enum ApiKind
{
    /// <summary>POST /v1/completions with a text prompt.</summary>
    Completions,
    /// <summary>POST /v1/chat/completions with one user message.</summary>
    Chat,
}
