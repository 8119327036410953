using System.Diagnostics;
using Serving.Tests.Shared;

namespace Serving.Host.Tests.Deployment;

/// <summary>
/// Helm and the offline schema validator (tools/k8s): found in the tools cache that tools/k8s/install-tools.sh fills
/// (${SERVING_TOOLS_DIR:-~/.cache/serving/tools}); the first use runs the installer, a quick no-op when they are there.
/// </summary>
internal static class KubernetesTools
{
    public static readonly string Root = RepositoryRoot.Find();

    static readonly Lazy<string> Installed = new(Install, LazyThreadSafetyMode.ExecutionAndPublication);

    public static string Folder => Installed.Value;

    public static string Helm => Path.Combine(Folder, "bin", "helm");

    public static string NodeModules => Path.Combine(Folder, "node", "node_modules");

    public static string Validator => Path.Combine(Root, "tools", "k8s", "validate.mjs");

    static string Install()
    {
        var folder = Environment.GetEnvironmentVariable("SERVING_TOOLS_DIR") is { Length: > 0 } set
            ? set
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache", "serving", "tools");
        var result = Run("bash", [Path.Combine(Root, "tools", "k8s", "install-tools.sh")], timeout: TimeSpan.FromMinutes(10),
            environment: new() { ["SERVING_TOOLS_DIR"] = folder });
        if (result.ExitCode != 0)
            throw new InvalidOperationException($"tools/k8s/install-tools.sh failed (exit {result.ExitCode}); the chart cannot be checked without helm and the validator:\n{result.Output}");
        return folder;
    }

    /// <summary>Runs a tool to completion (killed after <paramref name="timeout"/>, default 2 minutes).</summary>
    public static ToolResult Run(string file, IEnumerable<string> args, string? stdin = null, TimeSpan? timeout = null, Dictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo(file)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Root,
        };
        foreach (var arg in args)
            start.ArgumentList.Add(arg);
        foreach (var (name, value) in environment ?? [])
            start.Environment[name] = value;

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {file}");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (stdin is not null)
            process.StandardInput.Write(stdin);
        process.StandardInput.Close();
        if (!process.WaitForExit(timeout ?? TimeSpan.FromMinutes(2)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{file} {string.Join(' ', start.ArgumentList)} did not finish in time");
        }
        return new ToolResult(process.ExitCode, stdout.GetAwaiter().GetResult(), stderr.GetAwaiter().GetResult());
    }
}

internal sealed record ToolResult(int ExitCode, string Stdout, string Stderr)
{
    public string Output => Stdout + Stderr;
}
