using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Serving.EndToEnd.Tests.Support;

namespace Serving.EndToEnd.Tests;

/// <summary>Bad input gets OpenAI's error object with the right status — never a 500, never a stack trace — and the server keeps serving.</summary>
[Collection(DefaultHostCollection.Name)]
public sealed class ErrorTests(DefaultHost host)
{
    [Theory]
    [InlineData("/v1/completions", """{"prompt": "Hi", "max_tokens": 4""", 400, null)]
    [InlineData("/v1/completions", """[1, 2, 3]""", 400, null)]
    [InlineData("/v1/completions", "", 400, null)]
    [InlineData("/v1/completions", """{"max_tokens": 4}""", 400, "prompt")]
    [InlineData("/v1/completions", """{"prompt": ""}""", 400, "prompt")]
    [InlineData("/v1/completions", """{"prompt": []}""", 400, "prompt")]
    [InlineData("/v1/completions", """{"prompt": {"text": "Hi"}}""", 400, "prompt")]
    [InlineData("/v1/completions", """{"prompt": [99999999]}""", 400, "prompt")]
    [InlineData("/v1/completions", """{"prompt": [1, "two"]}""", 400, "prompt")]
    [InlineData("/v1/completions", """{"prompt": "Hi", "max_tokens": "8"}""", 400, "max_tokens")]
    [InlineData("/v1/completions", """{"prompt": "Hi", "max_tokens": 2.5}""", 400, "max_tokens")]
    [InlineData("/v1/completions", """{"prompt": "Hi", "max_tokens": 123456789012345678901234567890}""", 400, "max_tokens")]
    [InlineData("/v1/completions", """{"prompt": "Hi", "max_tokens": 1e400}""", 400, "max_tokens")]
    [InlineData("/v1/completions", """{"prompt": "Hi", "max_tokens": 0}""", 400, "max_tokens")]
    [InlineData("/v1/completions", """{"prompt": "Hi", "max_tokens": 5000}""", 400, "max_tokens")]
    [InlineData("/v1/completions", """{"prompt": "Hi", "max_tokens": 2147483647}""", 400, "max_tokens")]
    [InlineData("/v1/chat/completions", """{"messages": [{"role": "user", "content": "Hi"}], "max_tokens": 2147483647}""", 400, "max_tokens")]
    [InlineData("/v1/completions", """{"prompt": "Hi", "temperature": "hot"}""", 400, "temperature")]
    [InlineData("/v1/completions", """{"prompt": "Hi", "temperature": -1}""", 400, "temperature")]
    [InlineData("/v1/completions", """{"prompt": "Hi", "top_p": 1.5}""", 400, "top_p")]
    [InlineData("/v1/completions", """{"prompt": "Hi", "top_p": 0}""", 400, "top_p")]
    [InlineData("/v1/completions", """{"prompt": "Hi", "n": 0}""", 400, "n")]
    [InlineData("/v1/completions", """{"prompt": "Hi", "seed": "abc"}""", 400, "seed")]
    [InlineData("/v1/completions", """{"prompt": "Hi", "stop": 5}""", 400, "stop")]
    [InlineData("/v1/completions", """{"prompt": "Hi", "stop": [""]}""", 400, "stop")]
    [InlineData("/v1/completions", """{"prompt": "Hi", "stop_token_ids": [-1]}""", 400, "stop_token_ids")]
    [InlineData("/v1/completions", """{"prompt": "Hi", "stream": "yes"}""", 400, "stream")]
    [InlineData("/v1/completions", """{"prompt": "Hi", "stream_options": {"include_usage": true}}""", 400, "stream_options")]
    [InlineData("/v1/completions", """{"prompt": "Hi", "logprobs": 21}""", 400, "logprobs")]
    [InlineData("/v1/completions", """{"prompt": "Hi", "echo": true, "logprobs": 1}""", 400, "echo")]
    [InlineData("/v1/completions", """{"prompt": "Hi", "min_tokens": 9, "max_tokens": 4}""", 400, "min_tokens")]
    [InlineData("/v1/completions", """{"prompt": "Hi", "presence_penalty": 3}""", 400, "presence_penalty")]
    [InlineData("/v1/completions", """{"prompt": "Hi", "model": "gpt-4o"}""", 404, "model")]
    [InlineData("/v1/chat/completions", """{"messages": []}""", 400, "messages")]
    [InlineData("/v1/chat/completions", """{"messages": "Hi"}""", 400, "messages")]
    [InlineData("/v1/chat/completions", """{"model": "tiny-llama-v1"}""", 400, "messages")]
    [InlineData("/v1/chat/completions", """{"messages": [{"role": "user"}]}""", 400, "messages[0].content")]
    [InlineData("/v1/chat/completions", """{"messages": [{"content": "Hi"}]}""", 400, "messages[0].role")]
    [InlineData("/v1/chat/completions", """{"messages": [{"role": "wizard", "content": "Hi"}]}""", 400, "messages[0].role")]
    [InlineData("/v1/chat/completions", """{"messages": [{"role": "user", "content": [{"type": "image_url", "image_url": {"url": "x"}}]}]}""", 400, "messages[0].content")]
    [InlineData("/v1/chat/completions", """{"messages": [{"role": "user", "content": "Hi"}], "top_logprobs": 2}""", 400, "top_logprobs")]
    [InlineData("/v1/chat/completions", """{"messages": [{"role": "user", "content": "Hi"}], "max_completion_tokens": 0}""", 400, "max_completion_tokens")]
    [InlineData("/v1/chat/completions", """{"messages": [{"role": "user", "content": "Hi"}], "max_tokens": 99999}""", 400, "max_tokens")]
    [InlineData("/v1/chat/completions", """{"messages": [{"role": "user", "content": "Hi"}], "max_completion_tokens": 99999}""", 400, "max_completion_tokens")]
    [InlineData("/v1/chat/completions", """{"messages": [{"role": "user", "content": "Hi"}], "response_format": {"type": "json_object"}}""", 400, "response_format")]
    [InlineData("/v1/chat/completions", """{"messages": [{"role": "user", "content": "Hi"}], "tool_choice": "required"}""", 400, "tool_choice")]
    [InlineData("/v1/completions", """{"prompt": "Hi", "logit_bias": {"50256": -100}}""", 400, "logit_bias")]
    [InlineData("/v1/completions", """{"prompt": "Hi", "best_of": 3}""", 400, "best_of")]
    [InlineData("/v1/completions", """{"prompt": "Hi", "n": 32, "max_tokens": 1}""", 200, null)]
    [InlineData("/v1/chat/completions", """{"messages": [{"role": "user", "content": "Hi"}], "model": "other"}""", 404, "model")]
    [InlineData("/tokenize", """{"prompt": 42}""", 400, "prompt")]
    [InlineData("/detokenize", """{"tokens": "abc"}""", 400, "tokens")]
    [InlineData("/detokenize", """{"tokens": [1, 99999999]}""", 400, "tokens")]
    public async Task BadRequest_ErrorObjectWithStatus_ServerKeepsServing(string path, string body, int status, string? param)
    {
        using var response = await host.Http.PostAsync(path, new StringContent(body, Encoding.UTF8, "application/json"));

        if (status == 200)
            Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        else
            await AssertErrorAsync(response, status, param);
        await AssertStillServingAsync();
    }

    [Fact]
    public async Task InvalidUtf8_Is400()
    {
        var bytes = Encoding.UTF8.GetBytes("""{"prompt": "Hi X"}""");
        bytes[Array.IndexOf(bytes, (byte)'X')] = 0xFF;
        using var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");

        using var response = await host.Http.PostAsync("/v1/completions", content);

        await AssertErrorAsync(response, 400, null);
        await AssertStillServingAsync();
    }

    [Fact]
    public async Task GrpcContentType_OnTheApi_StillGetsAnOpenAiError()
    {
        using var content = new StringContent("""{"prompt": 5}""");
        content.Headers.ContentType = new MediaTypeHeaderValue("application/grpc");

        using var response = await host.Http.PostAsync("/v1/completions", content);

        await AssertErrorAsync(response, 400, "prompt");
    }

    [Fact]
    public async Task AKvRefusal_OnTheSameServer_KeepsItsGrpcStatus()
    {
        using var channel = Grpc.Net.Client.GrpcChannel.ForAddress($"http://127.0.0.1:{host.KvPort}");
        using var call = new Serving.Protocol.V1.KvTransfer.KvTransferClient(channel).Push();

        await call.RequestStream.WriteAsync(new Serving.Protocol.V1.KvPushRequest { Chunk = new Serving.Protocol.V1.KvChunk() });
        await call.RequestStream.CompleteAsync();

        var e = await Assert.ThrowsAsync<Grpc.Core.RpcException>(() => call.ResponseAsync);
        Assert.Equal(Grpc.Core.StatusCode.InvalidArgument, e.StatusCode);
        Assert.Contains("must start with its header", e.Status.Detail);
    }

    [Fact]
    public async Task UnknownFields_AreIgnored()
    {
        var (status, _) = await host.PostAsync("/v1/completions", new { prompt = "Hi", max_tokens = 2, frobnicate = new { x = 1 }, suffix = (string?)null });

        Assert.Equal(200, status);
    }

    [Fact]
    public async Task UnknownRoute_Is404ErrorObject()
    {
        using var response = await host.Http.GetAsync("/v1/engines");

        await AssertErrorAsync(response, 404, null);
    }

    internal static async Task AssertErrorAsync(HttpResponseMessage response, int status, string? param)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(status == (int)response.StatusCode, $"expected {status}, got {(int)response.StatusCode}: {text}");
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        var error = JsonDocument.Parse(text).RootElement.GetProperty("error");
        Assert.False(string.IsNullOrWhiteSpace(error.GetProperty("message").GetString()));
        Assert.False(string.IsNullOrWhiteSpace(error.GetProperty("type").GetString()));
        Assert.True(error.TryGetProperty("code", out _));
        if (param is not null)
            Assert.Equal(param, error.GetProperty("param").GetString());
        Assert.DoesNotContain(" at Serving.", text, StringComparison.Ordinal);
    }

    async Task AssertStillServingAsync()
    {
        var (status, body) = await host.PostAsync("/v1/completions", new { prompt = "Still there?", max_tokens = 1 });
        Assert.True(status == 200, body.ToString());
    }
}
