using Serving.EndToEnd.Tests.Support;

namespace Serving.EndToEnd.Tests;

public sealed class ChunkedPrefillTests(ChunkedHost host) : PrefillModeTests(host), IClassFixture<ChunkedHost>;
