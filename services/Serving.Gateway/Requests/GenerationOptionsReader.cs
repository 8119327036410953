using Serving.Model.Sampling;
using Serving.Gateway.Errors;

namespace Serving.Gateway.Requests;

/// <summary>Reads the fields /v1/completions and /v1/chat/completions share (vLLM's extensions included).</summary>
internal static class GenerationOptionsReader
{
    public const int MaxChoices = 128;

    public static GenerationOptions Read(JsonBody body, ServedModel model, string[] maxTokensFields, int? logprobs)
    {
        Unsupported.Check(body);
        body.String("user"); // accepted for compatibility; checked for type only

        var n = body.Int("n", 1, MaxChoices) ?? 1;
        var stream = body.Bool("stream") ?? false;
        var streamOptions = body.Object("stream_options");
        var includeUsage = false;
        if (streamOptions is { } so)
        {
            if (!stream)
                throw ApiException.BadRequest("'stream_options' is only allowed when 'stream' is true.", "stream_options");
            includeUsage = new JsonBody(so).Bool("include_usage") ?? false;
        }

        // Chat takes max_completion_tokens, or the older max_tokens; both are checked, the first given wins.
        var given = maxTokensFields.Select(f => (Field: f, Value: body.Int(f, 1))).ToArray();
        var (maxTokensField, maxTokens) = given.FirstOrDefault(g => g.Value is not null, given[0]);
        var sampling = new SamplingParams
        {
            MaxTokens = maxTokens ?? 0,
            Temperature = body.Number("temperature", 0, 2) ?? 1.0,
            TopP = body.Number("top_p", 0, 1) ?? 1.0,
            TopK = body.Int("top_k", -1) ?? 0,
            MinP = body.Number("min_p", 0, 1) ?? 0,
            Seed = body.Long("seed"),
            PresencePenalty = body.Number("presence_penalty", -2, 2) ?? 0,
            FrequencyPenalty = body.Number("frequency_penalty", -2, 2) ?? 0,
            RepetitionPenalty = body.Number("repetition_penalty", 0, 100) ?? 1.0,
            MinTokens = body.Int("min_tokens", 0) ?? 0,
            Stop = body.Strings("stop"),
            StopTokenIds = body.Ints("stop_token_ids", 0, model.VocabSize),
            IgnoreEos = body.Bool("ignore_eos") ?? false,
            Logprobs = logprobs,
        };
        if (sampling.TopP == 0)
            throw ApiException.BadRequest("'top_p' must be greater than 0.", "top_p");
        if (sampling.RepetitionPenalty == 0)
            throw ApiException.BadRequest("'repetition_penalty' must be greater than 0.", "repetition_penalty");
        if (sampling.Stop.Any(s => s.Length == 0))
            throw ApiException.BadRequest("'stop' must not contain empty strings.", "stop");
        var limits = model.Limits;
        if (sampling.Stop.Count > limits.MaxStop)
            throw ApiException.BadRequest($"'stop' holds {sampling.Stop.Count} strings; this server takes at most {limits.MaxStop}.", "stop");
        if (sampling.Stop.FirstOrDefault(s => s.Length > limits.MaxStopLength) is { } tooLong)
            throw ApiException.BadRequest($"a 'stop' string is {tooLong.Length} characters; this server takes at most {limits.MaxStopLength}.", "stop");
        if (sampling.StopTokenIds.Count > limits.MaxStopTokenIds)
            throw ApiException.BadRequest($"'stop_token_ids' holds {sampling.StopTokenIds.Count} ids; this server takes at most {limits.MaxStopTokenIds}.", "stop_token_ids");
        if (sampling.MaxTokens > 0 && sampling.MinTokens > sampling.MaxTokens)
            throw ApiException.BadRequest($"'min_tokens' ({sampling.MinTokens}) must not exceed the completion's maximum ({sampling.MaxTokens}).", "min_tokens");
        return new GenerationOptions { Model = model.Name, Sampling = sampling, MaxTokensField = maxTokensField, N = n, Stream = stream, IncludeUsage = includeUsage, Logprobs = logprobs };
    }

    /// <summary>
    /// Sets max_tokens for one prompt: the client's value, or the default (<paramref name="fallback"/>, capped by the
    /// room left in the context), and refuses a prompt that leaves no room — before any worker is involved.
    /// </summary>
    /// <param name="kvCapacityTokens">The most tokens a worker's KV pool holds, when known: a request must fit it as well as the context.</param>
    public static SamplingParams ForPrompt(GenerationOptions o, int promptTokens, int maxModelLength, int? fallback, string promptField, long? kvCapacityTokens = null)
    {
        var room = maxModelLength - promptTokens;
        // In 64 bits: max_tokens near int.MaxValue must not wrap around to a length that fits.
        var requested = (long)promptTokens + Math.Max(o.Sampling.MaxTokens, 1);
        if (o.HasMaxTokens ? requested > maxModelLength : room < 1)
            throw ApiException.BadRequest(
                $"This model's maximum context length is {maxModelLength} tokens. However, you requested {requested} tokens " +
                $"({promptTokens} in the {promptField}, {Math.Max(o.Sampling.MaxTokens, 1)} in the completion). Please reduce the length of the {promptField} or completion.",
                o.HasMaxTokens ? o.MaxTokensField : promptField, "context_length_exceeded");
        // Without max_tokens, requested is the prompt and one token: the least the request needs.
        if (kvCapacityTokens is { } capacity && requested > capacity)
            throw ApiException.BadRequest(
                $"This request needs KV for {requested} tokens ({promptTokens} in the {promptField}, {Math.Max(o.Sampling.MaxTokens, 1)} in the completion); " +
                $"the workers' KV cache holds at most {capacity} tokens per request. Please reduce the length of the {promptField} or completion.",
                o.HasMaxTokens ? o.MaxTokensField : promptField, "kv_capacity_exceeded");
        // Without max_tokens, the completion gets what is left of the context and of the KV pool.
        var left = (int)Math.Min(room, (kvCapacityTokens ?? long.MaxValue) - promptTokens);
        var sampling = o.HasMaxTokens ? o.Sampling : o.Sampling with { MaxTokens = Math.Min(left, fallback ?? left) };
        if (sampling.MinTokens > sampling.MaxTokens)
            throw ApiException.BadRequest($"'min_tokens' ({sampling.MinTokens}) exceeds the {sampling.MaxTokens} tokens left for the completion.", "min_tokens");
        return sampling;
    }
}
