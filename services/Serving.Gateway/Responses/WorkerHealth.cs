using System.Text.Json.Serialization;

namespace Serving.Gateway.Responses;

internal sealed record WorkerHealth(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("role")] string Role,
    [property: JsonPropertyName("waiting")] int Waiting,
    [property: JsonPropertyName("running")] int Running,
    [property: JsonPropertyName("free_kv_blocks")] int FreeKvBlocks,
    [property: JsonPropertyName("total_kv_blocks")] int TotalKvBlocks);
