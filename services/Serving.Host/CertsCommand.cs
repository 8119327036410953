using System.CommandLine;
using Serving.Worker.Security;

namespace Serving.Host;

/// <summary>
/// `serving certs --out DIR [--hosts ...]`: a development CA and a cluster certificate signed by it, as `--tls-dir`
/// reads them (ca.crt, tls.crt, tls.key) — for docker-compose and tests. Production takes them from cert-manager.
/// </summary>
internal static class CertsCommand
{
    public static Command Create()
    {
        var command = new Command("certs", "Write a development cluster CA and certificate (ca.crt, tls.crt, tls.key) for --tls-dir.");
        var output = new Option<string>("--out") { Description = "Folder to write them to (created if missing; existing files are replaced).", Required = true };
        var hosts = new Option<string[]>("--hosts")
        {
            Description = "Host names and addresses the processes are reached at, besides localhost and 127.0.0.1 (comma-separated or repeated).",
            AllowMultipleArgumentsPerToken = true,
        };
        var days = new Option<int>("--days") { Description = "Days the certificate is valid.", DefaultValueFactory = _ => 365 };
        command.Options.Add(output);
        command.Options.Add(hosts);
        command.Options.Add(days);
        command.SetAction(parse =>
        {
            var names = (parse.GetValue(hosts) ?? []).SelectMany(h => h.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).ToArray();
            if (parse.GetValue(days) < 1)
            {
                Console.Error.WriteLine("error: --days must be at least 1.");
                return 2;
            }
            foreach (var path in DevelopmentCertificates.Write(parse.GetValue(output)!, names, TimeSpan.FromDays(parse.GetValue(days))))
                Console.WriteLine($"wrote {path}");
            Console.WriteLine("development certificates: fine for docker-compose and tests; in production let cert-manager or your own CA issue them.");
            return 0;
        });
        return command;
    }
}
