namespace Serving.EndToEnd.Tests.Support;

/// <summary>The test classes that share one default host (started once: model loads, silo, workers).</summary>
[CollectionDefinition(Name)]
public sealed class DefaultHostCollection : ICollectionFixture<DefaultHost>
{
    public const string Name = "default host";
}
