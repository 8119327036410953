using Serving.Model.Config;
using Serving.Model.Tokenization;
using Serving.Gateway.Chat;
using Serving.Gateway.Errors;
using Serving.Gateway.Generation;
using Serving.Gateway.Requests;

namespace Serving.Gateway;

/// <summary>The model as the gateway sees it: its API name, tokenizer, context length and chat template.</summary>
internal sealed class ServedModel
{
    public ServedModel(ServingGatewayOptions options)
    {
        Name = options.ModelName;
        Tokenizer = TextTokenizer.Load(options.ModelFolder);
        var config = ModelConfig.Load(options.ModelFolder);
        MaxModelLength = config.MaxModelLength;
        VocabSize = config.VocabSize;
        Chat = ChatPrompt.Load(options.ModelFolder);
        Logprobs = new LogprobsFormatter(Tokenizer);
        Limits = options.Limits;
    }

    public string Name { get; }
    public TextTokenizer Tokenizer { get; }
    public int MaxModelLength { get; }
    public int VocabSize { get; }
    public ChatPrompt Chat { get; }
    public LogprobsFormatter Logprobs { get; }
    public RequestLimits Limits { get; }

    /// <summary>Refuses a request for another model (404, as OpenAI answers); a request naming none gets this one.</summary>
    public void Require(JsonBody body)
    {
        if (body.String("model") is { } name && name != Name)
            throw new ApiException(404, $"The model '{name}' does not exist; this server serves '{Name}'.", "invalid_request_error", "model", "model_not_found");
    }
}
