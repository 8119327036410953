using System.Collections.Concurrent;
using Google.Protobuf;
using Grpc.Core;
using Serving.Protocol.V1;

namespace Serving.Worker.Transfer.Pull;

/// <summary>
/// The Pull rpc with a response parser bound to one receive session: each chunk's payload is checked and copied
/// from the call's receive buffer straight into the session's import buffer, with no ByteString in between.
/// grpc-dotnet caches per-method state by instance, so instances are pooled, one per concurrent pull.
/// </summary>
internal sealed class KvPullMethod
{
    static readonly ConcurrentBag<KvPullMethod> Idle = [];
    static readonly string MethodName = KvTransfer.Descriptor.FindMethodByName("Pull").Name;
    static readonly Marshaller<Protocol.V1.KvTransferHeader> Request =
        Marshallers.Create(h => h.ToByteArray(), Protocol.V1.KvTransferHeader.Parser.ParseFrom);

    KvReceiveSession? session;

    KvPullMethod()
    {
        Method = new Method<Protocol.V1.KvTransferHeader, KvPullFrame>(MethodType.ServerStreaming, KvTransfer.Descriptor.FullName, MethodName, Request,
            new Marshaller<KvPullFrame>((_, _) => throw new NotSupportedException("pull frames are only received."), Parse));
    }

    public Method<Protocol.V1.KvTransferHeader, KvPullFrame> Method { get; }

    public static KvPullMethod Rent(KvReceiveSession session)
    {
        var method = Idle.TryTake(out var m) ? m : new KvPullMethod();
        method.session = session;
        return method;
    }

    /// <summary>Back to the pool once the call is disposed (no message is parsed after that).</summary>
    public void Return()
    {
        session = null;
        Idle.Add(this);
    }

    KvPullFrame Parse(DeserializationContext context)
    {
        try
        {
            var target = session ?? throw new InvalidOperationException("a KV pull message arrived after its call ended.");
            return KvPullParser.Parse(context.PayloadAsReadOnlySequence(), target);
        }
        catch (Exception e)
        {
            // Thrown here it would surface as a generic deserialization error; the pull reports it with its own status.
            return KvPullFrame.Failed(e);
        }
    }
}
