using Serving.EndToEnd.Tests.Support;

namespace Serving.EndToEnd.Tests;

public sealed class LayeredPrefillTests(LayeredHost host) : PrefillModeTests(host), IClassFixture<LayeredHost>;
