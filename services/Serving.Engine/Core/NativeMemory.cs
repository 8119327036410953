using System.Buffers;

namespace Serving.Engine.Core;

/// <summary>Exposes native memory (a tensor's storage) as <see cref="Memory{T}"/> without copying; valid while its owner lives.</summary>
internal sealed unsafe class NativeMemory(byte* pointer, int length) : MemoryManager<byte>
{
    public override Span<byte> GetSpan() => new(pointer, length);

    public override MemoryHandle Pin(int elementIndex = 0) => new(pointer + elementIndex);

    public override void Unpin()
    {
    }

    protected override void Dispose(bool disposing)
    {
    }
}
