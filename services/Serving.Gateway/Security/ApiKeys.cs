using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Serving.Gateway.Errors;

namespace Serving.Gateway.Security;

/// <summary>
/// Optional API keys (<c>Authorization: Bearer KEY</c>), as vLLM's --api-key: on the API routes, and on /metrics
/// when it is served on the API port (a metrics port of its own stays open for scrapers). /health stays open for
/// probes but shows the cluster's workers only to a caller with a key. Keys are compared in constant time.
/// </summary>
internal sealed class ApiKeys(IReadOnlyList<string> keys, int? metricsPort)
{
    // Compared as SHA-256 digests: equal lengths, so the comparison time says nothing about a key's length.
    readonly byte[][] accepted = [.. keys.Select(Digest)];

    /// <summary>Whether any key is configured (else everything is open).</summary>
    public bool Required => accepted.Length > 0;

    /// <summary>Whether the request may see what keys protect: no keys are configured, or it carries one of them.</summary>
    public bool Authorizes(HttpRequest request)
    {
        if (!Required)
            return true;
        var header = request.Headers.Authorization.ToString();
        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
            return false;
        var given = Digest(header["Bearer ".Length..].Trim());
        var ok = false;
        foreach (var key in accepted)
            ok |= CryptographicOperations.FixedTimeEquals(given, key);
        return ok;
    }

    public bool Protects(HttpContext http)
    {
        var path = http.Request.Path;
        return path.StartsWithSegments("/v1") || path.StartsWithSegments("/tokenize") || path.StartsWithSegments("/detokenize")
            || (path.StartsWithSegments("/metrics") && http.Connection.LocalPort != metricsPort);
    }

    static byte[] Digest(string key) => SHA256.HashData(Encoding.UTF8.GetBytes(key));
}

internal static class ApiKeysMiddleware
{
    public static IApplicationBuilder UseApiKeys(this IApplicationBuilder app)
    {
        var keys = app.ApplicationServices.GetRequiredService<ApiKeys>();
        if (!keys.Required)
            return app;
        return app.Use(async (http, next) =>
        {
            if (keys.Protects(http) && !keys.Authorizes(http.Request))
            {
                http.Response.Headers.WWWAuthenticate = "Bearer";
                throw new ApiException(401,
                    http.Request.Headers.Authorization.Count == 0 ? "Missing API key: send it as 'Authorization: Bearer KEY'." : "Incorrect API key provided.",
                    "invalid_request_error", code: "invalid_api_key");
            }
            await next(http);
        });
    }
}
