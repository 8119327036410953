using Serving.Engine.DefaultModel;
using Serving.Model.Tokenization;

namespace Serving.Engine.Tests;

/// <summary>The default model and its tokenizer, created once per test process.</summary>
internal static class DefaultModelFixture
{
    private static readonly Lazy<string> LazyFolder = new(() => DefaultModelStore.EnsureDefault());
    private static readonly Lazy<TextTokenizer> LazyTokenizer = new(() => TextTokenizer.Load(Folder));

    public static string Folder => LazyFolder.Value;

    public static TextTokenizer Tokenizer => LazyTokenizer.Value;
}
