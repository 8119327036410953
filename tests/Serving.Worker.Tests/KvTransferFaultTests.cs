using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;
using Serving.Contracts;
using Serving.Engine.Core;
using Serving.Model.Sampling;
using Serving.Protocol.V1;
using Serving.Worker.Roles;
using Serving.Worker.Transfer;

namespace Serving.Worker.Tests;

public sealed class KvTransferFaultTests(DisaggregationFixture f) : IClassFixture<DisaggregationFixture>
{
    static readonly SamplingParams Greedy = SamplingParams.Greedy(16) with { IgnoreEos = true };

    [Fact]
    public async Task LayoutMismatch_IsRefusedBeforeAnyBytesMove()
    {
        var prompt = f.Reference.Encode("layout check");
        var (token, _) = await ReserveAsync("layout-1", prompt);
        var wrong = f.Decode.Description.KvLayout with { DType = "bfloat16" };

        var e = await Assert.ThrowsAsync<KvTransferException>(async () =>
        {
            await using var sender = await f.Grpc.OpenAsync(f.Endpoint, new Serving.Worker.Transfer.KvTransferHeader("layout-1", "decode-0", wrong, prompt.Count, token), CancellationToken.None);
            await sender.CompleteAsync(new FirstToken(1, null), CancellationToken.None);
        });

        Assert.Contains("layout mismatch", e.Message);
        Assert.False(e.Retryable);
        Abandon("layout-1");
        await f.AssertPoolsWholeAsync();
    }

    [Fact]
    public async Task CorruptedChunk_IsRefusedWithDataLoss()
    {
        var prompt = f.Reference.Encode("a corrupted chunk must never reach the cache");
        var (token, _) = await ReserveAsync("corrupt-1", prompt);
        using var channel = GrpcChannel.ForAddress(f.Endpoint.Address);
        var call = new KvTransfer.KvTransferClient(channel).Push();
        var header = new Serving.Worker.Transfer.KvTransferHeader("corrupt-1", "decode-0", f.Decode.Description.KvLayout, prompt.Count, token);

        var payload = new byte[4096];
        Random.Shared.NextBytes(payload);
        var status = await Assert.ThrowsAsync<RpcException>(async () =>
        {
            await call.RequestStream.WriteAsync(new KvPushRequest { Header = header.ToProto() });
            await call.RequestStream.WriteAsync(new KvPushRequest
            {
                Chunk = new KvChunk
                {
                    FirstLayer = 0, EndLayer = 2, Offset = 0, GroupBytes = payload.Length,
                    Data = ByteString.CopyFrom(payload), Checksum = System.IO.Hashing.XxHash3.HashToUInt64(payload) ^ 1,
                },
            });
            await call.RequestStream.CompleteAsync();
            await call.ResponseAsync;
        });

        Assert.Equal(StatusCode.DataLoss, status.StatusCode);
        Assert.Contains("checksum", status.Status.Detail);
        Abandon("corrupt-1");
        await f.AssertPoolsWholeAsync();
    }

    [Fact]
    public async Task TransferThatKeepsFailing_FallsBackToLocalPrefill_WithTheSameOutput()
    {
        var prompt = f.Reference.Encode("When every transfer fails, the decode worker computes the prompt itself.");
        var expected = f.Reference.Generate([prompt], Greedy)[0];
        var failing = new FailingPrefill();

        var tokens = new List<int>();
        await foreach (var o in f.DecodeRole(retries: 2).GenerateAsync(new GenerationRequest("fallback-1", prompt, Greedy), failing, CancellationToken.None))
            tokens.AddRange(o.NewTokenIds);

        Assert.Equal(3, failing.Calls); // the first try and two retries
        Assert.Equal(expected, tokens);
        await f.AssertPoolsWholeAsync();
    }

    [Fact]
    public async Task Pull_WithAMismatchedLayout_IsRefused_AndBothSidesGiveUp()
    {
        var prompt = f.Reference.Encode("pulling with the wrong layout");
        var (token, _) = await ReserveAsync("pull-layout-1", prompt);
        var prefill = f.PrefillRole("grpc-pull");
        var compute = prefill.PrefillAsync(new GenerationRequest("pull-layout-1", prompt, Greedy), f.Endpoint, token, 0, CancellationToken.None);
        var wrong = new Serving.Worker.Transfer.KvTransferHeader("pull-layout-1", "decode-0", f.Decode.Description.KvLayout with { HeadDim = 1 }, prompt.Count, token);

        var e = await Assert.ThrowsAsync<KvTransferException>(() => f.Pull.ReceiveAsync(wrong, f.Inbox, f.PrefillEndpoint, CancellationToken.None));
        Assert.Contains("layout mismatch", e.Message);
        Assert.False(e.Retryable);
        await Assert.ThrowsAnyAsync<Exception>(() => compute);

        Abandon("pull-layout-1");
        await f.AssertPoolsWholeAsync();
    }

    [Fact]
    public async Task Push_FromAWorkerWithoutTheRequestsTransferToken_IsDenied_AndTheAssignedPrefillStillCompletesIt()
    {
        var prompt = f.Reference.Encode("only the assigned prefill worker may fill these blocks");
        var expected = f.Reference.Generate([prompt], Greedy)[0];
        var (token, outputs) = await ReserveAsync("assigned-push-1", prompt);

        // Another legitimate worker of the cluster (same certificate, same layout), not assigned to this request.
        using var channel = GrpcChannel.ForAddress(f.Endpoint.Address);
        var call = new KvTransfer.KvTransferClient(channel).Push();
        var intruder = new Serving.Worker.Transfer.KvTransferHeader("assigned-push-1", "decode-0", f.Decode.Description.KvLayout, prompt.Count, Serving.Worker.Transfer.KvTransferHeader.NewToken());
        var denied = await Assert.ThrowsAsync<RpcException>(async () =>
        {
            await call.RequestStream.WriteAsync(new KvPushRequest { Header = intruder.ToProto() });
            await call.RequestStream.WriteAsync(new KvPushRequest { Done = new KvTransferDone { FirstToken = 1 } });
            await call.RequestStream.CompleteAsync();
            await call.ResponseAsync;
        });
        Assert.Equal(StatusCode.PermissionDenied, denied.StatusCode);
        Assert.DoesNotContain(token, denied.Status.Detail, StringComparison.Ordinal);

        await f.PrefillRole("grpc").PrefillAsync(new GenerationRequest("assigned-push-1", prompt, Greedy), f.Endpoint, token, 0, CancellationToken.None);
        Assert.Equal(expected, await TokensAsync(outputs));
        f.Inbox.Forget("assigned-push-1");
        await f.AssertPoolsWholeAsync();
    }

    [Fact]
    public async Task Pull_ByAWorkerWithoutTheRequestsTransferToken_IsDenied_AndTheAssignedDecodeWorkerStillPullsIt()
    {
        var prompt = f.Reference.Encode("only the assigned decode worker may take this prompt's KV");
        var expected = f.Reference.Generate([prompt], Greedy)[0];
        var (token, outputs) = await ReserveAsync("assigned-pull-1", prompt);
        var compute = f.PrefillRole("grpc-pull").PrefillAsync(new GenerationRequest("assigned-pull-1", prompt, Greedy), f.Endpoint, token, 0, CancellationToken.None);

        // A worker that names the request, the target worker and the layout, but holds no token for it.
        using var channel = GrpcChannel.ForAddress(f.PrefillEndpoint.Address);
        var intruder = new Serving.Worker.Transfer.KvTransferHeader("assigned-pull-1", "decode-0", f.Decode.Description.KvLayout, prompt.Count, Serving.Worker.Transfer.KvTransferHeader.NewToken());
        var denied = await Assert.ThrowsAsync<RpcException>(async () =>
        {
            using var pull = new KvTransfer.KvTransferClient(channel).Pull(intruder.ToProto());
            while (await pull.ResponseStream.MoveNext(CancellationToken.None))
            {
            }
        });
        Assert.Equal(StatusCode.PermissionDenied, denied.StatusCode);

        var assigned = new Serving.Worker.Transfer.KvTransferHeader("assigned-pull-1", "decode-0", f.Decode.Description.KvLayout, prompt.Count, token);
        await f.Pull.ReceiveAsync(assigned, f.Inbox, f.PrefillEndpoint, CancellationToken.None);
        await compute;
        Assert.Equal(expected, await TokensAsync(outputs));
        f.Inbox.Forget("assigned-pull-1");
        await f.AssertPoolsWholeAsync();
    }

    [Theory]
    [InlineData("grpc")]
    [InlineData("grpc-pull")]
    public async Task CancellingMidTransfer_LeavesBothPoolsWhole(string transport)
    {
        var prompt = f.Reference.Encode(string.Join(' ', Enumerable.Repeat("a long prompt so the transfer has several groups", 20)));
        var inner = transport == "grpc" ? (IKvTransport)f.Grpc : f.Pull;
        var gate = new GatedTransport(inner);
        using var cts = new CancellationTokenSource();

        var run = Task.Run(async () =>
        {
            var prefill = new PrefillRole(f.Prefill, gate, f.PrefillEndpoint);
            await foreach (var _ in f.DecodeRole(gate).GenerateAsync(new GenerationRequest($"cancel-{transport}", prompt, Greedy), prefill, cts.Token))
            {
            }
        });
        await gate.FirstGroupSent.WaitAsync(TimeSpan.FromSeconds(30));
        cts.Cancel();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run);
        await f.AssertPoolsWholeAsync();
    }

    /// <summary>
    /// Reserves blocks on the decode worker and accepts transfers for the request, as DecodeRole does first; returns
    /// the transfer token the inbox issued and the request's outputs.
    /// </summary>
    async Task<(string Token, System.Threading.Channels.ChannelReader<RequestOutput> Outputs)> ReserveAsync(string requestId, IReadOnlyList<int> prompt)
    {
        var reservation = await f.Decode.ReserveImportAsync(requestId, prompt, Greedy, reuseCachedPrefix: false);
        Assert.NotNull(reservation);
        return (f.Inbox.Expect(requestId, prompt.Count), reservation.Outputs);
    }

    async Task<List<int>> TokensAsync(System.Threading.Channels.ChannelReader<RequestOutput> outputs)
    {
        var tokens = new List<int>();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await foreach (var o in outputs.ReadAllAsync(timeout.Token))
            tokens.AddRange(o.NewTokenIds);
        return tokens;
    }

    /// <summary>Stops accepting transfers for the request and frees its reserved blocks.</summary>
    void Abandon(string requestId)
    {
        f.Inbox.Forget(requestId);
        f.Decode.Abort(requestId);
    }

    sealed class FailingPrefill : IPrefillService
    {
        public int Calls;

        public KvEndpoint Endpoint { get; } = new("prefill-failing", "http://127.0.0.1:1");

        public Task PrefillAsync(GenerationRequest request, KvEndpoint target, string transferToken, int cachedTokens, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref Calls);
            throw new KvTransferException("prefill worker unreachable (test)", retryable: true);
        }
    }

    /// <summary>Lets the first layer group through, then holds the rest until the transfer is cancelled.</summary>
    sealed class GatedTransport(IKvTransport inner) : IKvTransport
    {
        readonly TaskCompletionSource firstSent = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public KvTransportKind Kind => inner.Kind;
        public Task FirstGroupSent => firstSent.Task;

        public async Task<IKvSender> OpenAsync(KvEndpoint target, Serving.Worker.Transfer.KvTransferHeader header, CancellationToken cancellationToken) =>
            new Sender(await inner.OpenAsync(target, header, cancellationToken), firstSent);

        public Task ReceiveAsync(Serving.Worker.Transfer.KvTransferHeader header, KvInbox inbox, KvEndpoint peer, CancellationToken cancellationToken) =>
            inner.ReceiveAsync(header, inbox, peer, cancellationToken);

        sealed class Sender(IKvSender inner, TaskCompletionSource firstSent) : IKvSender
        {
            int groups;

            public void Enqueue(KvExport group)
            {
                if (Interlocked.Increment(ref groups) == 1)
                {
                    inner.Enqueue(group);
                    firstSent.TrySetResult();
                }
                else
                    group.Dispose();
            }

            public async Task CompleteAsync(FirstToken first, CancellationToken cancellationToken) =>
                await Task.Delay(Timeout.Infinite, cancellationToken);

            public ValueTask DisposeAsync() => inner.DisposeAsync();
        }
    }
}
