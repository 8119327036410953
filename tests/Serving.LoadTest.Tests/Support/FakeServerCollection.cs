namespace Serving.LoadTest.Tests.Support;

[CollectionDefinition(Name)]
public sealed class FakeServerCollection : ICollectionFixture<FakeServerFixture>
{
    public const string Name = "fake server";
}
