using Serving.Gateway.Tests.Support;

namespace Serving.Gateway.Tests;

public sealed class ChunkedPrefillTests(ChunkedHost host) : PrefillModeTests(host), IClassFixture<ChunkedHost>;
