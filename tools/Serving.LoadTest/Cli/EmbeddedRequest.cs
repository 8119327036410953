namespace Serving.LoadTest.Cli;

/// <summary>--embedded: which serving.dll to start (null: this repository's build) and its extra arguments.</summary>
internal sealed record EmbeddedRequest(string? ServingDll, string ExtraArgs);
