using System.ComponentModel;
using System.Diagnostics;

namespace Serving.Host.Tests.Deployment;

/// <summary>
/// Debian's docker-compose (1.29), which parses, validates and resolves a compose file without a Docker engine.
/// Runs in a clean environment: no SERVING_*/OTEL_*/TORCH_* variables of the caller and an empty env file instead of
/// a developer's .env, so the output is what the file itself says.
/// </summary>
internal sealed record DockerCompose(int ExitCode, string Output, string Error)
{
    public static DockerCompose Run(string workingDirectory, IReadOnlyDictionary<string, string>? environment, params string[] arguments)
    {
        var envFile = Path.Combine(Path.GetTempPath(), $"compose-{Guid.NewGuid():N}.env");
        File.WriteAllText(envFile, "");
        var start = new ProcessStartInfo("docker-compose")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.ArgumentList.Add("--env-file");
        start.ArgumentList.Add(envFile);
        foreach (var argument in arguments)
            start.ArgumentList.Add(argument);
        foreach (var name in start.Environment.Keys.Where(k => k.StartsWith("SERVING_", StringComparison.Ordinal) || k.StartsWith("OTEL_", StringComparison.Ordinal) || k.StartsWith("TORCH_", StringComparison.Ordinal) || k.StartsWith("COMPOSE_", StringComparison.Ordinal)).ToList())
            start.Environment.Remove(name);
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
            start.Environment[name] = value;

        try
        {
            using var process = Process.Start(start)!;
            var output = process.StandardOutput.ReadToEndAsync();
            var error = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(TimeSpan.FromMinutes(1)))
            {
                process.Kill(entireProcessTree: true);
                Assert.Fail($"docker-compose {string.Join(' ', arguments)} did not finish in a minute");
            }
            return new DockerCompose(process.ExitCode, output.Result, error.Result);
        }
        catch (Win32Exception e)
        {
            Assert.Fail($"docker-compose is not installed ({e.Message}): tests/run.sh installs it (apt-get install docker-compose); the deployment tests check docker-compose.yml with it.");
            throw;
        }
        finally
        {
            File.Delete(envFile);
        }
    }
}
