using System.CommandLine;
using System.Globalization;

namespace Serving.Host;

/// <summary>
/// One option of `serving`: its command-line name, its SERVING_* environment variable and its help, bound to one
/// setting of <see cref="HostSettings"/>. Its default is the setting's own default, written in one place.
/// </summary>
internal abstract class ServeOption
{
    public abstract Option Option { get; }

    /// <summary>The settings with this option's value applied.</summary>
    public abstract HostSettings Apply(HostSettings settings, ParseResult parse);

    /// <summary>A setting whose command-line value is its own type (a number, a string).</summary>
    public static ServeOption Of<T>(string name, string env, string help, Func<HostSettings, T> get, Func<HostSettings, T, HostSettings> set) =>
        new Typed<T>(name, env, help, get(HostSettings.Defaults), set);

    /// <summary>A setting written as text on the command line (a list, a switch), with its own parsing.</summary>
    public static ServeOption Text(string name, string env, string help, Func<HostSettings, string?> format, Func<HostSettings, string?, HostSettings> set) =>
        new Typed<string?>(name, env, help, format(HostSettings.Defaults), set);

    sealed class Typed<T> : ServeOption
    {
        readonly Option<T> option;
        readonly Func<HostSettings, T, HostSettings> set;

        public Typed(string name, string env, string help, T fallback, Func<HostSettings, T, HostSettings> set)
        {
            this.set = set;
            option = new Option<T>(name)
            {
                Description = $"{help} [{env}]",
                DefaultValueFactory = _ => Environment.GetEnvironmentVariable(env) is { Length: > 0 } value ? Parse(value, name, env) : fallback,
            };
        }

        public override Option Option => option;

        public override HostSettings Apply(HostSettings settings, ParseResult parse) => set(settings, parse.GetValue(option)!);

        static T Parse(string value, string name, string env)
        {
            var type = Nullable.GetUnderlyingType(typeof(T)) ?? typeof(T);
            try
            {
                return (T)Convert.ChangeType(value, type, CultureInfo.InvariantCulture);
            }
            catch (FormatException)
            {
                throw new ArgumentException($"{env}='{value}' is not a valid value for {name}.");
            }
        }
    }
}
