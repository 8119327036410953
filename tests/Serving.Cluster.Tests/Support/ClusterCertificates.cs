using System.Diagnostics;

namespace Serving.Cluster.Tests.Support;

/// <summary>
/// TLS folders for the multi-process tests, each written once per test run by `serving certs` — the command a user
/// runs: the cluster's, and a second CA's whose certificate is valid but not the cluster's.
/// </summary>
internal static class ClusterCertificates
{
    static readonly Lazy<string> cluster = new(() => Write("cluster"));
    static readonly Lazy<string> foreign = new(() => Write("foreign"));

    public static string Directory => cluster.Value;

    public static string Foreign => foreign.Value;

    static string Write(string name)
    {
        var folder = Path.Combine(Path.GetTempPath(), $"serving-tests-tls-{Environment.ProcessId}-{name}");
        var info = new ProcessStartInfo("dotnet", $"{ServingProcess.ServingDll()} certs --out {folder}")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEnd() + process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"serving certs failed ({process.ExitCode}): {output}");
        return folder;
    }
}
