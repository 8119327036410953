using System.Text;

namespace Serving.Engine.Tests.Tokenization;

/// <summary>Hand-encodes a tiny SentencePiece BPE ModelProto (protobuf), so tests need no downloaded tokenizer.model.</summary>
internal static class SentencePieceModelFile
{
    public static readonly string[] Pieces =
    [
        "<unk>", "<s>", "</s>", "▁", "h", "e", "l", "o", "w", "r", "d",
        "▁h", "ll", "▁he", "llo", "▁hello", "▁w", "or", "▁wor", "ld", "▁world",
    ];

    public static void Write(string path)
    {
        var model = new MemoryStream();
        for (int i = 0; i < Pieces.Length; i++)
        {
            var piece = new MemoryStream();
            WriteBytes(piece, 1, Encoding.UTF8.GetBytes(Pieces[i]));
            WriteFloat(piece, 2, -i); // BPE merges by descending score
            WriteVarintField(piece, 3, i == 0 ? 2UL : i < 3 ? 3UL : 1UL); // UNKNOWN, CONTROL, NORMAL
            WriteBytes(model, 1, piece.ToArray());
        }
        var trainer = new MemoryStream();
        WriteVarintField(trainer, 3, 2); // model_type BPE
        WriteVarintField(trainer, 4, (ulong)Pieces.Length);
        WriteVarintField(trainer, 40, 0); // unk_id
        WriteVarintField(trainer, 41, 1); // bos_id
        WriteVarintField(trainer, 42, 2); // eos_id
        WriteVarintField(trainer, 43, unchecked((ulong)-1L)); // pad_id
        WriteBytes(model, 2, trainer.ToArray());
        var normalizer = new MemoryStream();
        WriteBytes(normalizer, 1, Encoding.UTF8.GetBytes("identity"));
        WriteVarintField(normalizer, 3, 1); // add_dummy_prefix
        WriteVarintField(normalizer, 4, 0); // remove_extra_whitespaces
        WriteVarintField(normalizer, 5, 1); // escape_whitespaces
        WriteBytes(model, 3, normalizer.ToArray());
        File.WriteAllBytes(path, model.ToArray());
    }

    private static void WriteVarint(Stream s, ulong v)
    {
        while (v >= 0x80)
        {
            s.WriteByte((byte)(v | 0x80));
            v >>= 7;
        }
        s.WriteByte((byte)v);
    }

    private static void WriteVarintField(Stream s, int field, ulong v)
    {
        WriteVarint(s, (ulong)field << 3);
        WriteVarint(s, v);
    }

    private static void WriteFloat(Stream s, int field, float v)
    {
        WriteVarint(s, ((ulong)field << 3) | 5);
        s.Write(BitConverter.GetBytes(v));
    }

    private static void WriteBytes(Stream s, int field, byte[] bytes)
    {
        WriteVarint(s, ((ulong)field << 3) | 2);
        WriteVarint(s, (ulong)bytes.Length);
        s.Write(bytes);
    }
}
