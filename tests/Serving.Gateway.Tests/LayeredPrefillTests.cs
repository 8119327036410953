using Serving.Gateway.Tests.Support;

namespace Serving.Gateway.Tests;

public sealed class LayeredPrefillTests(LayeredHost host) : PrefillModeTests(host), IClassFixture<LayeredHost>;
