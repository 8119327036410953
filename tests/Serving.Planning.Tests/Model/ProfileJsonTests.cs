using System.Text.Json;
using Serving.Planning.Model;
using Serving.Planning.Tests.Support;

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
    public void Deserialize_Null_Throws()
    {
        Assert.Throws<JsonException>(() => ProfileJson.Deserialize("null"));
    }
}
