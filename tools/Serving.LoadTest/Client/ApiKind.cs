namespace Serving.LoadTest.Client;

internal enum ApiKind
{
    /// <summary>POST /v1/completions with a text prompt.</summary>
    Completions,
    /// <summary>POST /v1/chat/completions with one user message.</summary>
    Chat,
}
