using System.Buffers;
using Google.Protobuf;
using Grpc.Core;
using Serving.Protocol.V1;

namespace Serving.Worker.Transfer.Pull;

/// <summary>
/// Reads a <see cref="KvPushRequest"/> from its wire bytes without materialising a chunk's payload: the payload is
/// handed to the receive session as a slice of the receive buffer (checked, then copied once into the import buffer).
/// Fields it does not know are skipped, as protobuf parsers do.
/// </summary>
internal static class KvPullParser
{
    const int Varint = 0, Fixed64 = 1, LengthDelimited = 2, Fixed32 = 5;

    public static KvPullFrame Parse(ReadOnlySequence<byte> message, KvReceiveSession session)
    {
        var reader = new SequenceReader<byte>(message);
        KvPullFrame? frame = null;
        while (!reader.End)
        {
            var (field, wire) = Tag(ref reader);
            if (wire == LengthDelimited && field is 1 or 2 or 3)
            {
                var body = Slice(ref reader);
                frame = field switch
                {
                    2 => Chunk(body, session),
                    3 => KvPullFrame.Of(Done(body)),
                    _ => KvPullFrame.Other,
                };
            }
            else
                Skip(ref reader, wire);
        }
        return frame ?? KvPullFrame.Other;
    }

    static KvPullFrame Chunk(ReadOnlySequence<byte> body, KvReceiveSession session)
    {
        var reader = new SequenceReader<byte>(body);
        int firstLayer = 0, endLayer = 0;
        long offset = 0, groupBytes = 0;
        ulong checksum = 0;
        var data = ReadOnlySequence<byte>.Empty;
        while (!reader.End)
        {
            var (field, wire) = Tag(ref reader);
            switch (field, wire)
            {
                case (1, Varint): firstLayer = (int)Varint64(ref reader); break;
                case (2, Varint): endLayer = (int)Varint64(ref reader); break;
                case (3, Varint): offset = (long)Varint64(ref reader); break;
                case (4, Varint): groupBytes = (long)Varint64(ref reader); break;
                case (5, LengthDelimited): data = Slice(ref reader); break;
                case (6, Varint): checksum = Varint64(ref reader); break;
                default: Skip(ref reader, wire); break;
            }
        }
        // grpc-dotnet reads each message into one buffer, so the payload is one span; copy only if it is not.
        session.Accept(firstLayer, endLayer, offset, groupBytes, checksum, data.IsSingleSegment ? data.FirstSpan : data.ToArray());
        return KvPullFrame.Chunk;
    }

    // Google.Protobuf reports a malformed message with its own exception; a pull reports it as every other malformed frame.
    static KvTransferDone Done(ReadOnlySequence<byte> body)
    {
        try
        {
            return KvTransferDone.Parser.ParseFrom(body);
        }
        catch (InvalidProtocolBufferException)
        {
            throw Malformed();
        }
    }

    static (int Field, int Wire) Tag(ref SequenceReader<byte> reader)
    {
        var tag = Varint64(ref reader);
        if (tag >> 3 is 0 or > int.MaxValue)
            throw Malformed();
        return ((int)(tag >> 3), (int)(tag & 7));
    }

    static ulong Varint64(ref SequenceReader<byte> reader)
    {
        ulong value = 0;
        for (var shift = 0; shift < 64; shift += 7)
        {
            if (!reader.TryRead(out var b))
                throw Malformed();
            value |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80)
                return value;
        }
        throw Malformed();
    }

    static ReadOnlySequence<byte> Slice(ref SequenceReader<byte> reader)
    {
        var length = Varint64(ref reader);
        if (length > (ulong)reader.Remaining)
            throw Malformed();
        var slice = reader.UnreadSequence.Slice(0, (long)length);
        reader.Advance((long)length);
        return slice;
    }

    static void Skip(ref SequenceReader<byte> reader, int wire)
    {
        switch (wire)
        {
            case Varint: Varint64(ref reader); break;
            case Fixed64 when reader.Remaining >= 8: reader.Advance(8); break;
            case LengthDelimited: Slice(ref reader); break;
            case Fixed32 when reader.Remaining >= 4: reader.Advance(4); break;
            default: throw Malformed();
        }
    }

    static RpcException Malformed() => new(new Status(StatusCode.DataLoss, "a KV pull message is not valid protobuf."));
}
