using System.Text.Json.Nodes;

namespace Serving.Model.Config;

/// <summary>Llama-3 style rotary scaling (<c>rope_type: llama3</c>).</summary>
public sealed record RopeScaling(double Factor, double LowFreqFactor, double HighFreqFactor, int OriginalMaxPositionEmbeddings)
{
    internal static RopeScaling? Parse(JsonObject? node)
    {
        if (node is null)
            return null;
        var type = node["rope_type"]?.GetValue<string>() ?? node["type"]?.GetValue<string>();
        if (type is null or "default")
            return null;
        if (type != "llama3")
            throw new NotSupportedException($"rope_scaling type '{type}' is not supported (only llama3).");
        return new RopeScaling(
            node["factor"]!.GetValue<double>(),
            node["low_freq_factor"]?.GetValue<double>() ?? 1.0,
            node["high_freq_factor"]?.GetValue<double>() ?? 4.0,
            node["original_max_position_embeddings"]?.GetValue<int>() ?? 8192);
    }

    /// <summary>Rescales inverse frequencies: long wavelengths are slowed by the factor, short ones kept, the band between blended.</summary>
    internal double[] Apply(double[] invFreq)
    {
        var lowWavelen = OriginalMaxPositionEmbeddings / LowFreqFactor;
        var highWavelen = OriginalMaxPositionEmbeddings / HighFreqFactor;
        var result = new double[invFreq.Length];
        for (var i = 0; i < invFreq.Length; i++)
        {
            var wavelen = 2 * Math.PI / invFreq[i];
            if (wavelen < highWavelen)
                result[i] = invFreq[i];
            else if (wavelen > lowWavelen)
                result[i] = invFreq[i] / Factor;
            else
            {
                var smooth = (OriginalMaxPositionEmbeddings / wavelen - LowFreqFactor) / (HighFreqFactor - LowFreqFactor);
                result[i] = (1 - smooth) * invFreq[i] / Factor + smooth * invFreq[i];
            }
        }
        return result;
    }
}
