namespace Serving.Contracts;

/// <summary>A worker grain's key: the silo that owns its device and the worker's name there, "silo|name".</summary>
public static class WorkerKey
{
    public static string For(SiloAddress silo, string name) => $"{silo.ToParsableString()}|{name}";

    public static SiloAddress Silo(string key) => SiloAddress.FromParsableString(key[..Separator(key)]);

    public static string Name(string key) => key[(Separator(key) + 1)..];

    static int Separator(string key) =>
        key.IndexOf('|') is var i and > 0 ? i : throw new ArgumentException($"'{key}' is not a worker key (silo|name).", nameof(key));
}
