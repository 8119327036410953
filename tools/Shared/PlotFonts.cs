namespace Serving.Tools.Shared;

/// <summary>
/// Gives ScottPlot a font (compiled into each project that draws plots). Skia's self-contained Linux build reads no
/// system font configuration, so without this every label renders empty: register the first TrueType sans font found
/// in the usual places.
/// </summary>
internal static class PlotFonts
{
    const string Name = "Serving Sans";
    static readonly Lazy<bool> Registered = new(Register);

    static readonly string[] Candidates =
    [
        "DejaVuSans.ttf", "LiberationSans-Regular.ttf", "NotoSans-Regular.ttf", "FreeSans.ttf", "Arial.ttf", "arial.ttf", "Helvetica.ttc",
    ];

    static readonly string[] Folders =
    [
        "/usr/share/fonts", "/usr/local/share/fonts", Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".fonts"),
        "/Library/Fonts", "/System/Library/Fonts", Environment.GetFolderPath(Environment.SpecialFolder.Fonts),
    ];

    /// <summary>Registers a font once; false when none was found (plots then have no text).</summary>
    public static bool EnsureRegistered() => Registered.Value;

    static bool Register()
    {
        var found = Find();
        if (found is null)
            return false;
        ScottPlot.Fonts.AddFontFile(Name, found);
        var bold = Path.Combine(Path.GetDirectoryName(found)!, Path.GetFileNameWithoutExtension(found).Replace("-Regular", "") + "-Bold.ttf");
        ScottPlot.Fonts.AddFontFile(Name, File.Exists(bold) ? bold : found, bold: true);
        ScottPlot.Fonts.Default = Name;
        return true;
    }

    static string? Find()
    {
        foreach (var folder in Folders.Where(f => !string.IsNullOrEmpty(f) && Directory.Exists(f)))
            foreach (var name in Candidates)
                if (Directory.EnumerateFiles(folder, name, SearchOption.AllDirectories).FirstOrDefault() is { } path)
                    return path;
        return null;
    }
}
