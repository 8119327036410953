using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Serving.EndToEnd.Tests.Support;
using Xunit.Abstractions;

namespace Serving.EndToEnd.Tests;

/// <summary>
/// Admission before heavy work: a flood of maximum-size chat requests at a gateway that prepares two at a time and
/// lets two more wait. Each such request is refused in the end (its prompt is far beyond the context), but only after
/// it was read, rendered and tokenized: the flood's cost must be bounded by the pool, not by how many arrive.
/// </summary>
public sealed class PreparationFloodTests(FloodHost host, ITestOutputHelper output) : IClassFixture<FloodHost>
{
    const int MaxBodyBytes = 4 << 20; // the gateway's default body limit
    const int Flood = 24;

    [Fact]
    public async Task AFloodOfMaxSizeChatRequests_Gets429s_NeverA500_AndGatewayMemoryStaysBounded()
    {
        var body = MaxSizeChatBody();
        // Once alone first, so that what the tokenizer and template keep for good is in the baseline.
        Assert.Equal(HttpStatusCode.BadRequest, await PostAsync(body));

        IReadOnlyList<HttpStatusCode> statuses;
        long grew;
        using (var memory = MemorySampler.Start())
        {
            statuses = await Task.WhenAll(Enumerable.Range(0, Flood).Select(_ => Task.Run(() => PostAsync(body))));
            grew = memory.Peak - memory.Baseline;
            output.WriteLine($"{string.Join(", ", statuses.GroupBy(s => s).Select(g => $"{(int)g.Key} x{g.Count()}"))}; live managed memory peaked {grew >> 20} MiB above the baseline of {memory.Baseline >> 20} MiB ({memory.Samples} samples)");
        }

        Assert.Contains(HttpStatusCode.TooManyRequests, statuses);
        Assert.Contains(HttpStatusCode.BadRequest, statuses); // those that got a place were prepared, and refused for their length
        // What the pool lets the gateway hold at once: a body for each of its places; for each of the two preparing,
        // the working set of rendering and tokenizing — its content and prompt as UTF-16 copies, about 7 bodies' worth
        // measured alone, 10 allowed; and Kestrel's request buffer (1 MiB) for every connection of the flood.
        // Unbounded, the same flood peaked at 431 MiB.
        const long places = FloodHost.PrepareConcurrency + FloodHost.PrepareQueue;
        const long bound = places * MaxBodyBytes + FloodHost.PrepareConcurrency * 10L * MaxBodyBytes + Flood * (1L << 20);
        Assert.True(grew < bound, $"live managed memory grew {grew >> 20} MiB during the flood; the pool bounds it to {bound >> 20} MiB");

        // Every place was given back.
        var (status, reply) = await host.PostAsync("/v1/chat/completions", new { messages = new[] { new { role = "user", content = "Hi" } }, max_tokens = 1 });
        Assert.True(status == 200, reply.ToString());
    }

    async Task<HttpStatusCode> PostAsync(byte[] body)
    {
        using var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        using var response = await host.Http.PostAsync("/v1/chat/completions", content);
        // Either refusal is OpenAI's error object: 429 to wait and retry, or 400 for a prompt beyond the context.
        await ErrorTests.AssertErrorAsync(response, (int)response.StatusCode, null);
        var code = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("error").GetProperty("code").GetString();
        if (response.StatusCode == HttpStatusCode.TooManyRequests)
        {
            Assert.Equal("queue_full", code);
            Assert.True(response.Headers.RetryAfter?.Delta > TimeSpan.Zero, "a 429 without Retry-After");
        }
        else
            Assert.Equal((HttpStatusCode.BadRequest, "context_length_exceeded"), (response.StatusCode, code));
        return response.StatusCode;
    }

    /// <summary>One user message of plain words, the whole body just under the limit.</summary>
    static byte[] MaxSizeChatBody()
    {
        string[] words = ["serving", "cluster", "prefill", "decode", "token", "the", "a", "of", "gateway", "admission"];
        var random = new Random(17);
        var text = new StringBuilder();
        while (text.Length < MaxBodyBytes - 256)
            text.Append(words[random.Next(words.Length)]).Append(' ');
        var body = Encoding.UTF8.GetBytes($$"""{"messages":[{"role":"user","content":"{{text}}"}],"max_tokens":1}""");
        Assert.InRange(body.Length, MaxBodyBytes - 256, MaxBodyBytes);
        return body;
    }

    /// <summary>
    /// The most live managed memory of this process (gateway, worker and test alike) seen while it runs: a full
    /// collection every 20 ms, so garbage not yet collected never counts, only what is still held.
    /// </summary>
    sealed class MemorySampler : IDisposable
    {
        readonly Thread thread;
        volatile bool stop;
        long peak;

        MemorySampler()
        {
            Baseline = GC.GetTotalMemory(forceFullCollection: true);
            peak = Baseline;
            thread = new Thread(Run) { IsBackground = true };
            thread.Start();
        }

        public long Baseline { get; }
        public long Peak => Interlocked.Read(ref peak);
        public int Samples { get; private set; }

        public static MemorySampler Start() => new();

        void Run()
        {
            while (!stop)
            {
                var live = GC.GetTotalMemory(forceFullCollection: true);
                if (live > Interlocked.Read(ref peak))
                    Interlocked.Exchange(ref peak, live);
                Samples++;
                Thread.Sleep(20);
            }
        }

        public void Dispose()
        {
            stop = true;
            thread.Join();
        }
    }
}
