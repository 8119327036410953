using System.Net.Http.Json;
using System.Text.Json;
using Serving.Cluster.Tests.Support;
using Serving.Model.Sampling;

namespace Serving.Cluster.Tests;

public sealed class MultiProcessClusterTests(MultiProcessClusterFixture f, Xunit.Abstractions.ITestOutputHelper output) : IClassFixture<MultiProcessClusterFixture>
{
    [Fact]
    public async Task GreedyRequests_AcrossProcesses_MatchOneEngine()
    {
        string[] prompts = ["Hello", "The quick brown fox jumps over the lazy dog.", string.Join(' ', Enumerable.Repeat("disaggregated serving over Redis membership", 30))];
        var responses = await Task.WhenAll(prompts.Select(p => Complete(p, maxTokens: 20)));

        for (var i = 0; i < prompts.Length; i++)
            Assert.Equal(Expected(prompts[i], 20), responses[i]);
    }

    [Fact]
    public async Task KillingTheDecodeProcessMidStream_ResumesOnTheOtherWorker_WithTheSameText_AndTheClusterKeepsServing()
    {
        const string prompt = "A long story that will be cut short:";
        var expected = Expected(prompt, 1500);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/completions")
        {
            Content = JsonContent.Create(new { prompt, max_tokens = 1500, temperature = 0, ignore_eos = true, stream = true }),
        };
        using var response = await f.Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        response.EnsureSuccessStatusCode();
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        var events = new CompletionEvents(reader);

        var text = "";
        string? id = null;
        var sawError = false;
        var killed = false;
        // The longest wait between two events of the stream: the time the client was left without tokens.
        var sinceLast = System.Diagnostics.Stopwatch.StartNew();
        var longestGap = TimeSpan.Zero;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        await foreach (var json in events.ReadAsync(timeout.Token))
        {
            if (json.TryGetProperty("error", out _))
            {
                sawError = true;
                continue;
            }
            id ??= json.GetProperty("id").GetString();
            text += json.GetProperty("choices")[0].GetProperty("text").GetString();
            if (!killed)
            {
                DecoderServing(id!).Kill();
                killed = true;
            }
            if (sinceLast.Elapsed > longestGap)
                longestGap = sinceLast.Elapsed;
            sinceLast.Restart();
        }

        // Never a hang, never a wrong token: the gateway resumes the request on the surviving decode worker from the
        // tokens already delivered, and the client sees one uninterrupted, correct stream.
        Assert.True(events.Done, "the stream must end with [DONE]");
        Assert.False(sawError, "the request should have been resumed, not failed");
        Assert.Equal(expected, text);
        Assert.Contains(f.Gateway.Output, l => l.Contains($"Request {id}: worker", StringComparison.Ordinal) && l.Contains("resuming elsewhere", StringComparison.Ordinal));

        output.WriteLine($"stream: {text.Length} chars received, error event: {sawError}; longest gap between events: {longestGap.TotalSeconds:0.0} s");
        // The killed worker's silo is declared dead within the cluster's failure detection, which breaks the stream,
        // and the request resumes on the other decode worker: the client waits seconds, not the default 20-odd.
        Assert.True(longestGap < TimeSpan.FromSeconds(5), $"the stream stalled {longestGap.TotalSeconds:0.0} s around the kill");

        // The survivors keep serving: within the router's failure detection, requests succeed again, correctly.
        var recovery = System.Diagnostics.Stopwatch.StartNew();
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            try
            {
                Assert.Equal(Expected("After the failure", 12), await Complete("After the failure", 12));
                output.WriteLine($"first correct request after the kill: {recovery.ElapsedMilliseconds} ms");
                break;
            }
            catch (Exception) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(500);
            }
        }
    }

    [Fact]
    public async Task ClientDisconnectingMidStream_FreesTheKvBlocksOnEveryWorker()
    {
        using (var request = new HttpRequestMessage(HttpMethod.Post, "/v1/completions")
        {
            Content = JsonContent.Create(new { prompt = "A request whose client goes away", max_tokens = 3500, temperature = 0, ignore_eos = true, stream = true }),
        })
        using (var response = await f.Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead))
        {
            response.EnsureSuccessStatusCode();
            using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
            while (await reader.ReadLineAsync() is { } line && !line.StartsWith("data: {", StringComparison.Ordinal))
            {
            }
            // Leaving this block closes the connection mid-stream.
        }

        // Well before the 3,500 tokens could have finished on their own.
        var deadline = DateTime.UtcNow.AddSeconds(15);
        var health = "";
        while (DateTime.UtcNow < deadline)
        {
            health = await f.Http.GetStringAsync("/health");
            var workers = JsonDocument.Parse(health).RootElement.GetProperty("workers").EnumerateArray().ToList();
            if (workers.Count > 0 && workers.All(w => w.GetProperty("free_kv_blocks").GetInt32() == w.GetProperty("total_kv_blocks").GetInt32()
                                                      && w.GetProperty("running").GetInt32() == 0))
                return;
            await Task.Delay(200);
        }
        Assert.Fail($"KV blocks were not freed after the client left: {health}");
    }

    Support.ServingProcess DecoderServing(string requestId)
    {
        var line = f.Gateway.Output.LastOrDefault(l => l.Contains($"Request {requestId}: decode on", StringComparison.Ordinal))
            ?? throw new InvalidOperationException($"the gateway did not log the assignment of {requestId}:{Environment.NewLine}{f.Logs()}");
        // Worker keys are "host:siloPort@epoch|name".
        var key = line[(line.IndexOf("decode on ", StringComparison.Ordinal) + "decode on ".Length)..];
        var siloPort = int.Parse(key[(key.IndexOf(':') + 1)..key.IndexOf('@')]);
        return f.Decoders.Single(d => d.SiloPort == siloPort);
    }

    string Expected(string prompt, int maxTokens)
    {
        var tokens = f.Reference.Encode(prompt);
        var output = f.Reference.Generate([tokens], SamplingParams.Greedy(maxTokens) with { IgnoreEos = true })[0];
        return f.Reference.Tokenizer!.Decode(output);
    }

    async Task<string> Complete(string prompt, int maxTokens)
    {
        using var response = await f.Http.PostAsJsonAsync("/v1/completions", new { prompt, max_tokens = maxTokens, temperature = 0, ignore_eos = true });
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{(int)response.StatusCode}: {body}");
        return JsonDocument.Parse(body).RootElement.GetProperty("choices")[0].GetProperty("text").GetString()!;
    }
}
