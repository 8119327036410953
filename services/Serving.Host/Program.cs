using System.CommandLine;
using Serving.Host;

var root = new RootCommand("Serving: a disaggregated LLM serving cluster. With no options: one process with a gateway, a prefill worker and a decode worker on the default model.");
ServeCommand.Configure(root);
root.Subcommands.Add(GenerateCommand.Create());
root.Subcommands.Add(ProfileCommand.Create());
root.Subcommands.Add(PlanCommand.Create());
root.Subcommands.Add(SimulateCommand.Create());
root.Subcommands.Add(CalibrateCommand.Create());
root.Subcommands.Add(ProbeCommand.Create());
root.Subcommands.Add(CertsCommand.Create());
var parse = root.Parse(args);
// Serving: SIGTERM and Ctrl+C are the host's to handle (it drains before stopping); System.CommandLine's own handler
// would end the process two seconds after the signal, mid-drain. The other commands keep it (cancellation on Ctrl+C).
var serving = parse.CommandResult.Command == root;
return await parse.InvokeAsync(serving ? new InvocationConfiguration { ProcessTerminationTimeout = null } : new InvocationConfiguration());
