using System.ClientModel;
using System.ClientModel.Primitives;
using System.Text;
using System.Text.Json;
using OpenAI.Chat;
using Serving.EndToEnd.Tests.Support;

namespace Serving.EndToEnd.Tests;

/// <summary>/v1/chat/completions through the official OpenAI .NET client, against the default host.</summary>
[Collection(DefaultHostCollection.Name)]
public sealed class ChatCompletionsTests(DefaultHost host)
{
    static readonly ChatMessage[] Conversation = [new SystemChatMessage("You are terse."), new UserChatMessage("Tell me a story about two workers.")];

    // The default model ships a ChatML template; this is its rendering of Conversation, written out by hand.
    const string ConversationPrompt =
        "<|im_start|>system\nYou are terse.<|im_end|>\n<|im_start|>user\nTell me a story about two workers.<|im_end|>\n<|im_start|>assistant\n";

    IReadOnlyList<int> PromptTokens => host.Reference.Tokenizer!.Encode(ConversationPrompt, addSpecialTokens: false);

    [Fact]
    public async Task CompleteChat_Greedy_MatchesSingleEngine()
    {
        var expected = host.Greedy(PromptTokens, 12);

        ChatCompletion completion = await host.Chat().CompleteChatAsync(Conversation, new ChatCompletionOptions { Temperature = 0, MaxOutputTokenCount = 12 });

        Assert.Equal(expected.Text, completion.Content[0].Text);
        Assert.Equal(ChatMessageRole.Assistant, completion.Role);
        Assert.Equal(PromptTokens.Count, completion.Usage.InputTokenCount);
        Assert.Equal(expected.Tokens.Count, completion.Usage.OutputTokenCount);
        Assert.Equal(expected.Tokens.Count == 12 ? ChatFinishReason.Length : ChatFinishReason.Stop, completion.FinishReason);
        Assert.StartsWith("chatcmpl-", completion.Id);
    }

    [Fact]
    public async Task AConversationsNextTurn_ReportsItsHistoryAsCachedTokens_AndStaysExact()
    {
        var systemText = "You answer questions about the cluster. " + string.Join(' ', Enumerable.Repeat("Prefill and decode run on separate workers.", 30));
        ChatMessage[] turn1 = [new SystemChatMessage(systemText), new UserChatMessage("What does the decode worker keep?")];
        var options = new ChatCompletionOptions { Temperature = 0, MaxOutputTokenCount = 8 };
        ChatCompletion first = await host.Chat().CompleteChatAsync(turn1, options);
        ChatMessage[] turn2 = [.. turn1, new AssistantChatMessage(first.Content[0].Text), new UserChatMessage("And the prefill worker?")];

        ChatCompletion second = await host.Chat().CompleteChatAsync(turn2, options);

        // The whole first turn's prompt (in whole blocks) was in the prefix cache; the answer is still the single engine's.
        var cached = second.Usage.InputTokenDetails.CachedTokenCount;
        Assert.InRange(cached, (first.Usage.InputTokenCount - 16) / 16 * 16, second.Usage.InputTokenCount - 1);
        var rendered = $"<|im_start|>system\n{systemText}<|im_end|>\n<|im_start|>user\nWhat does the decode worker keep?<|im_end|>\n"
            + $"<|im_start|>assistant\n{first.Content[0].Text}<|im_end|>\n<|im_start|>user\nAnd the prefill worker?<|im_end|>\n<|im_start|>assistant\n";
        var prompt = host.Reference.Tokenizer!.Encode(rendered, addSpecialTokens: false);
        Assert.Equal(prompt.Count, second.Usage.InputTokenCount);
        Assert.Equal(host.Greedy(prompt, 8).Text, second.Content[0].Text);
    }

    [Fact]
    public async Task CompleteChatStreaming_Greedy_SameTextAsWholeAnswer_WithUsageLast()
    {
        var options = new ChatCompletionOptions { Temperature = 0, MaxOutputTokenCount = 16 };
        ChatCompletion whole = await host.Chat().CompleteChatAsync(Conversation, options);

        var text = new StringBuilder();
        var updates = new List<StreamingChatCompletionUpdate>();
        await foreach (var update in host.Chat().CompleteChatStreamingAsync(Conversation, new ChatCompletionOptions { Temperature = 0, MaxOutputTokenCount = 16 }))
        {
            updates.Add(update);
            foreach (var part in update.ContentUpdate)
                text.Append(part.Text);
        }

        Assert.Equal(whole.Content[0].Text, text.ToString());
        Assert.Equal(ChatMessageRole.Assistant, updates[0].Role);
        Assert.Equal(whole.FinishReason, updates.Single(u => u.FinishReason is not null).FinishReason);
        // The client asks for stream usage: it comes once, on the last chunk.
        var usage = Assert.Single(updates, u => u.Usage is not null).Usage;
        Assert.Same(updates[^1].Usage, usage);
        Assert.Equal(whole.Usage.InputTokenCount, usage.InputTokenCount);
        Assert.Equal(whole.Usage.OutputTokenCount, usage.OutputTokenCount);
    }

    [Fact]
    public async Task CompleteChat_StopSequence_EndsBeforeIt()
    {
        ChatCompletion free = await host.Chat().CompleteChatAsync(Conversation, new ChatCompletionOptions { Temperature = 0, MaxOutputTokenCount = 24 });
        var text = free.Content[0].Text;
        var stop = text.Substring(text.Length / 2, 3);

        var options = new ChatCompletionOptions { Temperature = 0, MaxOutputTokenCount = 24 };
        options.StopSequences.Add(stop);
        ChatCompletion stopped = await host.Chat().CompleteChatAsync(Conversation, options);

        Assert.Equal(text[..text.IndexOf(stop, StringComparison.Ordinal)], stopped.Content[0].Text);
        Assert.Equal(ChatFinishReason.Stop, stopped.FinishReason);
    }

    [Fact]
    public async Task CompleteChat_SameSeed_SameSample()
    {
        ChatCompletionOptions Options(long seed) => new() { Temperature = 1.0f, TopP = 0.95f, MaxOutputTokenCount = 16, Seed = seed };

        ChatCompletion first = await host.Chat().CompleteChatAsync(Conversation, Options(42));
        ChatCompletion again = await host.Chat().CompleteChatAsync(Conversation, Options(42));
        ChatCompletion other = await host.Chat().CompleteChatAsync(Conversation, Options(43));

        Assert.Equal(first.Content[0].Text, again.Content[0].Text);
        Assert.NotEqual(first.Content[0].Text, other.Content[0].Text);
    }

    [Fact]
    public async Task CompleteChat_Logprobs_GreedyTokenIsTheTopAlternative()
    {
        var options = new ChatCompletionOptions { Temperature = 0, MaxOutputTokenCount = 8, IncludeLogProbabilities = true, TopLogProbabilityCount = 3 };

        ChatCompletion completion = await host.Chat().CompleteChatAsync(Conversation, options);

        var tokens = completion.ContentTokenLogProbabilities;
        Assert.Equal(completion.Usage.OutputTokenCount, tokens.Count);
        foreach (var token in tokens)
        {
            Assert.True(token.LogProbability <= 0);
            Assert.Equal(3, token.TopLogProbabilities.Count);
            Assert.Equal(token.TopLogProbabilities.Select(t => t.LogProbability).OrderByDescending(x => x), token.TopLogProbabilities.Select(t => t.LogProbability));
            Assert.Equal(token.TopLogProbabilities[0].Token, token.Token);
            Assert.Equal(token.TopLogProbabilities[0].LogProbability, token.LogProbability, 4);
            // For whole characters the bytes spell the token (pieces of a character are checked in TokenBytesTests).
            if (!token.Token.Contains('\uFFFD'))
                Assert.Equal(Encoding.UTF8.GetBytes(token.Token), token.Utf8Bytes!.Value.ToArray());
        }
    }

    [Fact]
    public async Task CompleteChatStreaming_Logprobs_OnePerStreamedToken()
    {
        var options = new ChatCompletionOptions { Temperature = 0, MaxOutputTokenCount = 8, IncludeLogProbabilities = true, TopLogProbabilityCount = 2 };
        ChatCompletion whole = await host.Chat().CompleteChatAsync(Conversation, options);

        var streamed = new List<ChatTokenLogProbabilityDetails>();
        await foreach (var update in host.Chat().CompleteChatStreamingAsync(Conversation, options))
            streamed.AddRange(update.ContentTokenLogProbabilities);

        Assert.Equal(whole.ContentTokenLogProbabilities.Select(t => (t.Token, t.TopLogProbabilities.Count)), streamed.Select(t => (t.Token, t.TopLogProbabilities.Count)));
        Assert.Equal(whole.ContentTokenLogProbabilities.Select(t => t.LogProbability), streamed.Select(t => t.LogProbability));
    }

    [Fact]
    public async Task CompleteChat_NChoices_EachSampledAndReproducible()
    {
        // The typed client reads one choice; n > 1 goes through its protocol method (same pipeline, raw JSON).
        var body = new
        {
            model = "tiny-llama-v1",
            messages = new[] { new { role = "user", content = "Tell me a story about two workers." } },
            n = 3, temperature = 1.0, seed = 7, max_tokens = 8, ignore_eos = true,
        };
        async Task<JsonElement> Run()
        {
            ClientResult result = await host.Chat().CompleteChatAsync(BinaryContent.Create(BinaryData.FromObjectAsJson(body)), new RequestOptions());
            return JsonDocument.Parse(result.GetRawResponse().Content.ToString()).RootElement.Clone();
        }

        var first = await Run();
        var again = await Run();

        var choices = first.GetProperty("choices").EnumerateArray().ToArray();
        Assert.Equal([0, 1, 2], choices.Select(c => c.GetProperty("index").GetInt32()));
        var texts = choices.Select(c => c.GetProperty("message").GetProperty("content").GetString()).ToArray();
        Assert.Equal(3, texts.Distinct().Count());
        Assert.Equal(texts, again.GetProperty("choices").EnumerateArray().Select(c => c.GetProperty("message").GetProperty("content").GetString()));
        Assert.Equal(24, first.GetProperty("usage").GetProperty("completion_tokens").GetInt32());
    }

    [Fact]
    public async Task ChatTemplateTokenize_CountsTheSamePromptAsTheChat()
    {
        var (status, body) = await host.PostAsync("/tokenize", new
        {
            messages = new[] { new { role = "system", content = "You are terse." }, new { role = "user", content = "Tell me a story about two workers." } },
        });

        Assert.Equal(200, status);
        Assert.Equal(PromptTokens, body.GetProperty("tokens").EnumerateArray().Select(t => t.GetInt32()));
    }

    [Fact]
    public async Task Models_ListTheServedModel()
    {
        var models = await host.Client().GetOpenAIModelClient().GetModelsAsync();

        Assert.Equal("tiny-llama-v1", Assert.Single(models.Value).Id);
    }
}
