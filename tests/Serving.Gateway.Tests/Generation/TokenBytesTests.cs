using System.Text;
using Serving.Engine.DefaultModel;
using Serving.Model.Tokenization;

namespace Serving.Gateway.Tests.Generation;

/// <summary>Logprob tokens carry the raw bytes they add, so clients can rebuild characters split over tokens.</summary>
public sealed class TokenBytesTests
{
    static readonly TextTokenizer Tokenizer = TextTokenizer.Load(DefaultModelStore.EnsureDefault());

    [Fact]
    public void TokenBytes_OfACharacterSplitOverTokens_ConcatenateToItsUtf8()
    {
        const string text = " naïve 齉 𝔘";
        var ids = Tokenizer.Encode(text, addSpecialTokens: false);

        var bytes = ids.SelectMany(Tokenizer.TokenBytes).ToArray();

        Assert.Equal(Encoding.UTF8.GetBytes(text), bytes);
        // Rare characters take more than one byte-level token: some token is only part of a character.
        Assert.Contains(ids, id => Tokenizer.TokenBytes(id) is var b && !IsWholeUtf8(b));
    }

    static bool IsWholeUtf8(byte[] bytes)
    {
        try
        {
            new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(bytes);
            return true;
        }
        catch (DecoderFallbackException)
        {
            return false;
        }
    }
}
