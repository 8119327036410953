using Microsoft.AspNetCore.Http;
using Serving.Gateway.Requests;

namespace Serving.Gateway.Admission;

/// <summary>One request's place in the <see cref="PreparationPool"/>; disposing it gives the place back.</summary>
internal sealed class PreparationPlace(PreparationPool pool) : IDisposable
{
    bool left;

    /// <summary>
    /// Reads the body, then, in its turn, parses it and runs <paramref name="prepare"/> on it. Only parsing and
    /// <paramref name="prepare"/> take a turn: a client that uploads slowly holds a place, never a CPU.
    /// </summary>
    /// <remarks>
    /// The parsed body is disposed before this returns, so what <paramref name="prepare"/> returns must not hold on
    /// to its elements: an admitted request keeps its prompt's tokens, not its body.
    /// </remarks>
    public async Task<T> PrepareAsync<T>(HttpRequest request, long maxBodyBytes, Func<JsonBody, T> prepare, CancellationToken cancellationToken)
    {
        var bytes = await JsonBody.ReadBytesAsync(request, maxBodyBytes, cancellationToken);
        await pool.TurnAsync(cancellationToken);
        try
        {
            using var body = JsonBody.Parse(bytes);
            return prepare(body);
        }
        finally
        {
            pool.EndTurn();
        }
    }

    public void Dispose()
    {
        if (!left)
            pool.Leave();
        left = true;
    }
}
