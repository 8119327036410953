namespace Serving.LoadTest.Tests.Support;

/// <summary>How the fake server answers one request.</summary>
public enum FakeMode
{
    Ok,
    /// <summary>500 with an OpenAI error object, no stream.</summary>
    Http500,
    /// <summary>Half the tokens, then an error event and [DONE] (what Serving and vLLM send when generation fails).</summary>
    ErrorEvent,
    /// <summary>Half the tokens, then an event that is not JSON, then the rest as if nothing happened.</summary>
    MalformedJson,
    /// <summary>Half the tokens, then the response ends without [DONE].</summary>
    NoDone,
    /// <summary>One token, then nothing until the client goes away.</summary>
    Hang,
}
