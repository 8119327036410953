namespace Serving.Tests.Shared;

/// <summary>The repository checkout the test build lives in (compiled into each test project that reads its files).</summary>
internal static class RepositoryRoot
{
    /// <summary>The folder holding Serving.sln, found upwards from the test's output folder.</summary>
    public static string Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Serving.sln")))
                return dir.FullName;
        throw new InvalidOperationException("Serving.sln not found above the test's folder.");
    }
}
