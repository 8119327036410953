using System.Globalization;
using System.Text;

namespace Serving.ChatTemplates.Evaluation;

// Python's datetime.strftime in the C locale, for strftime_now; "%-d" style (glibc) drops the zero padding.
internal static class Strftime
{
    public static string Format(DateTimeOffset time, string format)
    {
        var builder = new StringBuilder();
        for (var i = 0; i < format.Length; i++)
        {
            if (format[i] != '%' || i + 1 >= format.Length)
            {
                builder.Append(format[i]);
                continue;
            }

            var unpadded = format[i + 1] == '-' && i + 2 < format.Length;
            var directive = format[unpadded ? i + 2 : i + 1];
            i += unpadded ? 2 : 1;
            var text = Directive(time, directive)
                ?? throw new TemplateError($"strftime_now: the format directive '%{directive}' is not supported");
            builder.Append(unpadded && text.Length > 1 ? text.TrimStart('0') is { Length: > 0 } t ? t : "0" : text);
        }

        return builder.ToString();
    }

    private static string? Directive(DateTimeOffset time, char directive) => directive switch
    {
        'a' => time.ToString("ddd", CultureInfo.InvariantCulture),
        'A' => time.ToString("dddd", CultureInfo.InvariantCulture),
        'b' or 'h' => time.ToString("MMM", CultureInfo.InvariantCulture),
        'B' => time.ToString("MMMM", CultureInfo.InvariantCulture),
        'd' => time.ToString("dd", CultureInfo.InvariantCulture),
        'e' => time.Day.ToString(CultureInfo.InvariantCulture).PadLeft(2),
        'm' => time.ToString("MM", CultureInfo.InvariantCulture),
        'y' => time.ToString("yy", CultureInfo.InvariantCulture),
        'Y' => time.Year.ToString(CultureInfo.InvariantCulture),
        'H' => time.ToString("HH", CultureInfo.InvariantCulture),
        'I' => time.ToString("hh", CultureInfo.InvariantCulture),
        'M' => time.ToString("mm", CultureInfo.InvariantCulture),
        'S' => time.ToString("ss", CultureInfo.InvariantCulture),
        'f' => time.ToString("ffffff", CultureInfo.InvariantCulture),
        'p' => time.Hour < 12 ? "AM" : "PM",
        'j' => time.DayOfYear.ToString("000", CultureInfo.InvariantCulture),
        'z' => time.ToString("zzz", CultureInfo.InvariantCulture).Replace(":", ""),
        '%' => "%",
        _ => null,
    };
}
