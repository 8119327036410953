using System.Text.Json;

namespace Serving.LoadTest.Soak.Target;

/// <summary>Polls GET /health until the cluster can serve with the workers it should have.</summary>
internal static class HealthWait
{
    /// <param name="workers">The number of workers /health must list (null: any, as long as it answers 200).</param>
    /// <param name="failed">A check that stops the wait early with its message (a process that exited).</param>
    public static async Task UntilHealthyAsync(HttpClient http, Uri baseUrl, int? workers, TimeSpan timeout, Func<string?> failed, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + timeout;
        var last = "no answer yet";
        while (true)
        {
            if (failed() is { } why)
                throw new InvalidOperationException(why);
            try
            {
                using var response = await http.GetAsync(new Uri(baseUrl, "health"), cancellationToken);
                last = $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync(cancellationToken)}";
                if (response.IsSuccessStatusCode && (workers is null || WorkerCount(last[4..]) == workers))
                    return;
            }
            catch (HttpRequestException e)
            {
                last = e.Message;
            }
            catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                last = "a slow answer";
            }
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"the server was not healthy{(workers is { } n ? $" with {n} workers" : "")} within {timeout.TotalSeconds:0} s; last /health: {last}");
            await Task.Delay(250, cancellationToken);
        }
    }

    static int WorkerCount(string body)
    {
        try
        {
            using var json = JsonDocument.Parse(body);
            return json.RootElement.TryGetProperty("workers", out var list) && list.ValueKind == JsonValueKind.Array ? list.GetArrayLength() : -1;
        }
        catch (JsonException)
        {
            return -1;
        }
    }
}
