using System.Buffers;

namespace Serving.Worker.Tests;

/// <summary>A message split across buffer segments, as a receive buffer may hold it: what the KV parsers must assemble.</summary>
internal static class SegmentedBytes
{
    /// <summary><paramref name="bytes"/> in segments of at most <paramref name="segmentBytes"/> (one plain segment when it fits).</summary>
    public static ReadOnlySequence<byte> Of(byte[] bytes, int segmentBytes)
    {
        if (bytes.Length <= segmentBytes)
            return new ReadOnlySequence<byte>(bytes);
        Segment? first = null, last = null;
        for (var offset = 0; offset < bytes.Length; offset += segmentBytes)
        {
            var next = new Segment(bytes.AsMemory(offset, Math.Min(segmentBytes, bytes.Length - offset)), offset);
            if (last is null)
                first = next;
            else
                last.Next = next;
            last = next;
        }
        return new ReadOnlySequence<byte>(first!, 0, last!, last!.Memory.Length);
    }

    sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory, long runningIndex)
        {
            Memory = memory;
            RunningIndex = runningIndex;
        }

        public new Segment? Next
        {
            get => (Segment?)base.Next;
            set => base.Next = value;
        }
    }
}
