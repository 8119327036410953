using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Serving.Gateway.Errors;

namespace Serving.Gateway.Security;

/// <summary>
/// Optional API keys (<c>Authorization: Bearer KEY</c>) on the API routes, as vLLM's --api-key: /health and /metrics
/// stay open for probes and scrapers. Keys are compared in constant time.
/// </summary>
internal static class ApiKeys
{
    public static IApplicationBuilder UseApiKeys(this IApplicationBuilder app, IReadOnlyList<string> keys)
    {
        if (keys.Count == 0)
            return app;
        var accepted = keys.Select(Digest).ToArray();
        return app.Use(async (http, next) =>
        {
            if (IsProtected(http.Request.Path) && !Authorized(http.Request, accepted))
            {
                http.Response.Headers.WWWAuthenticate = "Bearer";
                throw new ApiException(401,
                    http.Request.Headers.Authorization.Count == 0 ? "Missing API key: send it as 'Authorization: Bearer KEY'." : "Incorrect API key provided.",
                    "invalid_request_error", code: "invalid_api_key");
            }
            await next(http);
        });
    }

    // Compared as SHA-256 digests: equal lengths, so the comparison time says nothing about a key's length.
    static byte[] Digest(string key) => SHA256.HashData(Encoding.UTF8.GetBytes(key));

    static bool IsProtected(PathString path) =>
        path.StartsWithSegments("/v1") || path.StartsWithSegments("/tokenize") || path.StartsWithSegments("/detokenize");

    static bool Authorized(HttpRequest request, byte[][] accepted)
    {
        var header = request.Headers.Authorization.ToString();
        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
            return false;
        var given = Digest(header["Bearer ".Length..].Trim());
        var ok = false;
        foreach (var key in accepted)
            ok |= CryptographicOperations.FixedTimeEquals(given, key);
        return ok;
    }
}
