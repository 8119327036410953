using Serving.Planning.LoadTests;

namespace Serving.LoadTest.Soak.Requests;

/// <summary>
/// One request of the soak, drawn from its index and the seed alone (so any one can be sent again): the JSON body,
/// and what the client will do and expect.
/// </summary>
/// <param name="Invalid">The deliberate mistake in the body (it must be refused with a 4xx), or null.</param>
/// <param name="Disconnect">When the client abandons it, or null.</param>
internal sealed record SoakRequest(
    int Index,
    ApiKind Api,
    bool Stream,
    int N,
    int PromptWords,
    byte[] Body,
    string? Invalid,
    DisconnectPlan? Disconnect)
{
    public bool IsLong(SoakMix mix) => PromptWords >= mix.LongPromptMinWords;

    public string Path => Api == ApiKind.Chat ? "v1/chat/completions" : "v1/completions";
}
