using System.Diagnostics;

namespace Serving.LoadTest.Soak.Faults;

/// <summary>Runs a fault command (`/bin/sh -c`) given on the command line; SOAK_FAULT and SOAK_BASE_URL tell it what and where.</summary>
internal static class ShellHook
{
    public static async Task<FaultRecord> RunAsync(string kind, string command, Uri baseUrl, SoakClock clock, CancellationToken cancellationToken)
    {
        var start = clock.Seconds;
        var info = new ProcessStartInfo("/bin/sh") { RedirectStandardOutput = true, RedirectStandardError = true };
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add(command);
        info.Environment["SOAK_FAULT"] = kind;
        info.Environment["SOAK_BASE_URL"] = baseUrl.ToString();
        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var errors = process.StandardError.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken);
        var text = ((await output) + (await errors)).Trim();
        var detail = $"exit {process.ExitCode}{(text.Length > 0 ? ": " + (text.Length > 300 ? text[^300..] : text) : "")}";
        return new FaultRecord(kind, command, start, clock.Seconds, process.ExitCode == 0, detail);
    }
}
