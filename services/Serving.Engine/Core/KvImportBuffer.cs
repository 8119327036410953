using TorchSharp;
using static TorchSharp.torch;

namespace Serving.Engine.Core;

/// <summary>
/// Host memory one layer group of incoming KV is assembled in, off the engine thread, in the layout
/// <see cref="LlmEngine.ExportKv(string, int, int)"/> produces; <see cref="LlmEngine.ImportKv(string, int, int, KvImportBuffer)"/>
/// reads it in place. Rented from <see cref="LlmEngine.RentImportBuffer"/>; disposing gives it back.
/// </summary>
public sealed class KvImportBuffer : IDisposable
{
    readonly KvImportBufferPool pool;
    readonly unsafe byte* pointer;
    Tensor? storage;

    internal unsafe KvImportBuffer(KvImportBufferPool pool, Tensor storage, int length)
    {
        this.pool = pool;
        this.storage = storage;
        Length = length;
        fixed (byte* p = storage.bytes)
            pointer = p;
    }

    /// <summary>Bytes in use (the group's size); the storage may be larger.</summary>
    public int Length { get; }

    /// <summary>Where the group's bytes go; valid until disposed.</summary>
    public unsafe Span<byte> Span
    {
        get
        {
            ObjectDisposedException.ThrowIf(storage is null, this);
            return new(pointer, Length);
        }
    }

    /// <summary>The first <see cref="Length"/> bytes as a tensor of the given shape (a view, no copy).</summary>
    internal Tensor View(long[] shape, int elementSize)
    {
        ObjectDisposedException.ThrowIf(storage is null, this);
        using var used = storage.narrow(0, 0, Length / elementSize);
        return used.view(shape);
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref storage, null) is { } s)
            pool.Return(s);
    }
}
