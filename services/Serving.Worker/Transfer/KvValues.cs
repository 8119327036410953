using System.Numerics;
using System.Runtime.InteropServices;

namespace Serving.Worker.Transfer;

/// <summary>
/// Checks KV bytes from a peer before they reach the pool: a NaN or an infinity would not stay in its own request.
/// Attention multiplies every slot of a block by its weight, 0 for slots past a sequence's end, and 0 × NaN is NaN:
/// a later request reusing the block would read it. So a non-finite value is refused with its group.
/// </summary>
internal static class KvValues
{
    /// <summary>The index of the first non-finite element in <paramref name="bytes"/> of the given dtype, or -1.</summary>
    public static long FirstNonFinite(ReadOnlySpan<byte> bytes, string dtype) => dtype switch
    {
        // An all-ones exponent is an infinity or a NaN, whatever the mantissa.
        "float32" => First(MemoryMarshal.Cast<byte, uint>(bytes), 0x7F80_0000u),
        "bfloat16" => First(MemoryMarshal.Cast<byte, ushort>(bytes), (ushort)0x7F80),
        "float16" => First(MemoryMarshal.Cast<byte, ushort>(bytes), (ushort)0x7C00),
        _ => throw new NotSupportedException($"KV dtype {dtype}"),
    };

    static long First<T>(ReadOnlySpan<T> values, T exponent) where T : unmanaged, IBinaryInteger<T>
    {
        var mask = new Vector<T>(exponent);
        var i = 0;
        for (; i + Vector<T>.Count <= values.Length; i += Vector<T>.Count)
            if (Vector.EqualsAny(Vector.BitwiseAnd(new Vector<T>(values[i..]), mask), mask))
                break;
        for (; i < values.Length; i++)
            if ((values[i] & exponent) == exponent)
                return i;
        return -1;
    }
}
