namespace Serving.Host.Tests.Lifecycle;

/// <summary>Secrets read from files (mounted Kubernetes Secrets): the value trimmed, a missing or empty file refused without echoing anything.</summary>
public sealed class SecretFileTests : IDisposable
{
    readonly string folder = Directory.CreateTempSubdirectory("serving-secrets-").FullName;

    [Fact]
    public void Read_TrimsTheTrailingNewlineASecretFileUsuallyHas()
    {
        var path = Write("password", "s3cret\n");

        Assert.Equal("s3cret", SecretFile.Read(path, "--redis-password-file"));
        Assert.Null(SecretFile.Read(null, "--redis-password-file"));
    }

    [Fact]
    public void ReadList_TakesOneKeyPerLine_OrCommaSeparated()
    {
        var path = Write("keys", "key-a\nkey-b, key-c\r\n\n");

        Assert.Equal(["key-a", "key-b", "key-c"], SecretFile.ReadList(path, "--api-key-file"));
    }

    [Fact]
    public void MissingOrEmptyFile_IsRefused_NamingTheOptionAndPath()
    {
        var missing = Path.Combine(folder, "absent");
        var empty = Write("empty", " \n");

        Assert.Equal($"--api-key-file '{missing}' does not exist.", Assert.Throws<SecretFileException>(() => SecretFile.ReadList(missing, "--api-key-file")).Message);
        Assert.Equal($"--redis-password-file '{empty}' is empty.", Assert.Throws<SecretFileException>(() => SecretFile.Read(empty, "--redis-password-file")).Message);
        Assert.Equal($"--api-key-file '{folder}' is a folder; give the file in it.", Assert.Throws<SecretFileException>(() => SecretFile.ReadList(folder, "--api-key-file")).Message);
    }

    [Fact]
    public void HostSettings_WhenPrinted_ShowNoSecret()
    {
        var settings = new HostSettings { ApiKeys = ["key-alpha"], Redis = "redis:6379,password=inline-secret", RedisPassword = "file-secret" };

        var text = settings.ToString();

        Assert.DoesNotContain("key-alpha", text, StringComparison.Ordinal);
        Assert.DoesNotContain("secret", text, StringComparison.Ordinal);
        Assert.Contains("redis:6379", text, StringComparison.Ordinal);
    }

    string Write(string name, string content)
    {
        var path = Path.Combine(folder, name);
        File.WriteAllText(path, content);
        return path;
    }

    public void Dispose() => Directory.Delete(folder, recursive: true);
}
