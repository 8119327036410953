using System.Collections.Concurrent;

namespace Serving.Host.Tests.Deployment;

/// <summary>helm/serving rendered, linted and validated offline, each rendering once per test run.</summary>
internal static class HelmChart
{
    public const string Release = "serving";
    public const string Namespace = "serving";
    public const string Defaults = "defaults";

    public static readonly string Folder = Path.Combine(KubernetesTools.Root, "helm", "serving");

    static readonly ConcurrentDictionary<string, Lazy<RenderedChart>> Renderings = new();
    static readonly ConcurrentDictionary<string, Lazy<ToolResult>> Validations = new();

    /// <summary>"defaults" and every example value set under ci/ (chart-testing's convention).</summary>
    public static IEnumerable<string> ValueSets() =>
        new[] { Defaults }.Concat(Directory.GetFiles(Path.Combine(Folder, "ci"), "*-values.yaml").Select(Path.GetFileName).Order(StringComparer.Ordinal))!;

    public static string[] ValuesArgs(string valueSet) =>
        valueSet == Defaults ? [] : ["--values", Path.Combine(Folder, "ci", valueSet)];

    /// <summary>`helm template` with these arguments; fails the test with helm's message when it does not render.</summary>
    public static RenderedChart Render(params string[] args) =>
        Renderings.GetOrAdd(Key(args), _ => new Lazy<RenderedChart>(() =>
        {
            var result = TryRender(args);
            if (result.ExitCode != 0)
                throw new InvalidOperationException($"helm template {string.Join(' ', args)} failed:\n{result.Output}");
            return RenderedChart.Parse(result.Stdout);
        })).Value;

    public static RenderedChart RenderValueSet(string valueSet, params string[] args) => Render([.. ValuesArgs(valueSet), .. args]);

    public static ToolResult TryRender(params string[] args) =>
        KubernetesTools.Run(KubernetesTools.Helm, ["template", Release, Folder, "--namespace", Namespace, .. args]);

    /// <summary>The NOTES.txt an install with these arguments prints (`helm install --dry-run=client`, no cluster needed).</summary>
    public static string Notes(params string[] args)
    {
        var result = KubernetesTools.Run(KubernetesTools.Helm, ["install", Release, Folder, "--namespace", Namespace, "--dry-run=client", .. args]);
        if (result.ExitCode != 0)
            throw new InvalidOperationException($"helm install --dry-run=client {string.Join(' ', args)} failed:\n{result.Output}");
        var at = result.Stdout.IndexOf("NOTES:", StringComparison.Ordinal);
        return at < 0 ? "" : result.Stdout[at..];
    }

    public static ToolResult Lint(params string[] args) =>
        KubernetesTools.Run(KubernetesTools.Helm, ["lint", "--strict", Folder, "--namespace", Namespace, .. args]);

    /// <summary>tools/k8s/validate.mjs over a rendering: one node process for all its objects.</summary>
    public static ToolResult Validate(string yaml) =>
        Validations.GetOrAdd(yaml, _ => new Lazy<ToolResult>(() =>
            KubernetesTools.Run("node", [KubernetesTools.Validator, "-", "--modules", KubernetesTools.NodeModules], stdin: yaml))).Value;

    static string Key(string[] args) => string.Join('\u001f', args);
}
