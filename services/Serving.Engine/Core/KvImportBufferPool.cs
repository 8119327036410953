using TorchSharp;
using static TorchSharp.torch;

namespace Serving.Engine.Core;

/// <summary>
/// Reuses import buffers across transfers: a fresh multi-megabyte buffer per layer group costs more in page faults
/// (the kernel zeroing new pages) than the copy into it. Thread-safe: transfers rent on their own threads.
/// </summary>
internal sealed class KvImportBufferPool(ScalarType dtype, int elementSize) : IDisposable
{
    /// <summary>Idle buffers kept; a few groups are in flight per transfer.</summary>
    const int MaxIdle = 8;
    readonly List<Tensor> idle = [];
    bool disposed;

    public KvImportBuffer Rent(int bytes)
    {
        if (bytes <= 0 || bytes % elementSize != 0)
            throw new ArgumentOutOfRangeException(nameof(bytes), $"an import buffer of {bytes} bytes does not hold whole elements of {elementSize} bytes.");
        var elements = bytes / elementSize;
        Tensor? storage = null;
        lock (idle)
        {
            ObjectDisposedException.ThrowIf(disposed, this);
            // The smallest idle buffer that fits.
            var best = -1;
            for (var i = 0; i < idle.Count; i++)
                if (idle[i].NumberOfElements >= elements && (best < 0 || idle[i].NumberOfElements < idle[best].NumberOfElements))
                    best = i;
            if (best >= 0)
            {
                storage = idle[best];
                idle.RemoveAt(best);
            }
        }
        return new KvImportBuffer(this, storage ?? torch.empty(elements, dtype), bytes);
    }

    public void Return(Tensor storage)
    {
        lock (idle)
        {
            if (!disposed)
            {
                idle.Add(storage);
                if (idle.Count <= MaxIdle)
                    return;
                // Drop the smallest: groups tend to grow with prompts, not shrink.
                var smallest = 0;
                for (var i = 1; i < idle.Count; i++)
                    if (idle[i].NumberOfElements < idle[smallest].NumberOfElements)
                        smallest = i;
                storage = idle[smallest];
                idle.RemoveAt(smallest);
            }
        }
        storage.Dispose();
    }

    public void Dispose()
    {
        lock (idle)
        {
            disposed = true;
            foreach (var t in idle)
                t.Dispose();
            idle.Clear();
        }
    }
}
