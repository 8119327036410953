using System.Text.Json;
using Serving.Planning.Model;
using Serving.Tests.Shared;

namespace Serving.Planning.Tests.Model;

public sealed class ProfileJsonTests
{
    [Fact]
    public void Deserialize_SerializedProfile_ReturnsEqualProfile()
    {
        var profile = Profiles.Simple(groupOverhead: 0.0005, layers: 4);

        var json = ProfileJson.Serialize(profile);

        Assert.Equal(profile, ProfileJson.Deserialize(json));
        Assert.Contains("\"perSquaredToken\"", json);
    }

    [Fact]
    public async Task LoadAsync_SavedFile_ReturnsEqualProfile()
    {
        var profile = Profiles.Simple();
        var path = Path.Combine(Path.GetTempPath(), $"profile-{Guid.NewGuid():N}.json");
        try
        {
            await ProfileJson.SaveAsync(profile, path);

            Assert.Equal(profile, await ProfileJson.LoadAsync(path));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Deserialize_ProfileWithoutPerPromptTerm_LoadsItAsZero()
    {
        // A profile as `serving profile` wrote it before the prefill model had a per-prompt term.
        const string json = """
            {
              "model": "tiny-llama", "device": "cpu-1t", "layers": 8,
              "prefill": { "fixed": 0.016, "perToken": 0.00014, "perSquaredToken": 5.26E-08 },
              "decode": { "fixed": 0.0103, "perRequest": 0.00065, "perContextToken": 1.98E-06 },
              "layerGroupOverheadSeconds": 0.0013,
              "transfer": { "bytesPerToken": 8192, "bandwidthBytesPerSecond": 500000000, "latencySeconds": 0.001 }
            }
            """;

        var profile = ProfileJson.Deserialize(json);

        Assert.Equal(new PrefillModel(0.016, 0.00014, 5.26E-08, 0), profile.Prefill);
        Assert.Equal(0.0103, profile.Decode.Fixed);
    }

    [Fact]
    public void Deserialize_Null_Throws()
    {
        Assert.Throws<JsonException>(() => ProfileJson.Deserialize("null"));
    }
}
