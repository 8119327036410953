using Serving.Contracts;

namespace Serving.Gateway.Generation;

/// <summary>A chunk of one choice's output (choice index = prompt index × n + sample index, as OpenAI numbers them).</summary>
internal readonly record struct ChoiceChunk(int Index, TokenChunk Chunk);
