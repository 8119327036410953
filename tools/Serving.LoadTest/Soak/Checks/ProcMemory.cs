namespace Serving.LoadTest.Soak.Checks;

/// <summary>A process's resident memory from /proc/&lt;pid&gt;/status (VmRSS) — Linux only; null when the process is gone or unreadable.</summary>
internal static class ProcMemory
{
    public static long? RssBytes(int pid)
    {
        try
        {
            foreach (var line in File.ReadLines($"/proc/{pid}/status"))
                if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                    return long.Parse(line.AsSpan(6).Trim().TrimEnd("kB").Trim(), System.Globalization.CultureInfo.InvariantCulture) * 1024;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException)
        {
        }
        return null;
    }
}
