namespace Serving.LoadTest.Workloads;

/// <summary>One message of a chat request: role (system, user, assistant) and text.</summary>
internal sealed record ChatMessage(string Role, string Content);
