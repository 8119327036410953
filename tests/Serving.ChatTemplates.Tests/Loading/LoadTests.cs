namespace Serving.ChatTemplates.Tests.Loading;

public sealed class LoadTests : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("chat-template-load-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    [Fact]
    public void Load_ChatTemplateJinjaFile_WinsOverTokenizerConfig()
    {
        Write("chat_template.jinja", "{{ 'from jinja file' }}\n");
        Write("tokenizer_config.json", """{"chat_template": "{{ 'from config' }}", "bos_token": "<s>", "eos_token": "</s>"}""");

        var source = ChatTemplate.Load(folder);

        Assert.Equal(new ChatTemplateSource("{{ 'from jinja file' }}\n", "<s>", "</s>"), source);
    }

    [Fact]
    public void Load_JinjaFileWithoutTokenizerConfig_HasNoSpecialTokens()
    {
        Write("chat_template.jinja", "x");

        Assert.Equal(new ChatTemplateSource("x", null, null), ChatTemplate.Load(folder));
    }

    [Fact]
    public void Load_StringChatTemplateAndAddedTokenObjects_ReadsTokenContent()
    {
        Write("tokenizer_config.json", """
            {
              "bos_token": {"__type": "AddedToken", "content": "<|begin_of_text|>", "lstrip": false},
              "chat_template": "{{ bos_token }}{{ messages[0]['content'] }}",
              "eos_token": {"content": "<|eot_id|>", "special": true}
            }
            """);

        var source = ChatTemplate.Load(folder)!;
        var prompt = source.Compile().Render(new Dictionary<string, object?>
        {
            ["bos_token"] = source.BosToken,
            ["messages"] = new List<object?> { new Dictionary<string, object?> { ["role"] = "user", ["content"] = "hi" } },
        });

        Assert.Equal(("<|begin_of_text|>", "<|eot_id|>"), (source.BosToken, source.EosToken));
        Assert.Equal("<|begin_of_text|>hi", prompt);
    }

    [Fact]
    public void Load_NamedChatTemplateList_TakesTheDefaultOne()
    {
        Write("tokenizer_config.json", """
            {"chat_template": [{"name": "tool_use", "template": "tools"}, {"name": "default", "template": "plain"}], "eos_token": null}
            """);

        Assert.Equal(new ChatTemplateSource("plain", null, null), ChatTemplate.Load(folder));
    }

    [Fact]
    public void Load_NamedChatTemplateListWithoutDefault_Throws()
    {
        Write("tokenizer_config.json", """{"chat_template": [{"name": "rag", "template": "x"}]}""");

        var error = Assert.Throws<ChatTemplateException>(() => ChatTemplate.Load(folder));

        Assert.Contains("none named \"default\"", error.Message);
    }

    [Fact]
    public void Load_TokenizerConfigWithoutChatTemplate_ReturnsNull()
    {
        Write("tokenizer_config.json", """{"bos_token": "<s>"}""");

        Assert.Null(ChatTemplate.Load(folder));
    }

    [Fact]
    public void Load_EmptyFolder_ReturnsNull()
    {
        Assert.Null(ChatTemplate.Load(folder));
    }

    [Fact]
    public void Load_MalformedTokenizerConfig_ThrowsChatTemplateException()
    {
        Write("tokenizer_config.json", "{ not json");

        Assert.Throws<ChatTemplateException>(() => ChatTemplate.Load(folder));
    }

    private void Write(string name, string text) => File.WriteAllText(Path.Combine(folder, name), text);
}
