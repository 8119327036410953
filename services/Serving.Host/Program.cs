using System.CommandLine;
using Serving.Host;

var root = new RootCommand("Serving: a disaggregated LLM serving cluster. With no options: one process with a gateway, a prefill worker and a decode worker on the default model.");
ServeCommand.Configure(root);
root.Subcommands.Add(GenerateCommand.Create());
root.Subcommands.Add(ProfileCommand.Create());
root.Subcommands.Add(PlanCommand.Create());
root.Subcommands.Add(SimulateCommand.Create());
root.Subcommands.Add(CalibrateCommand.Create());
return await root.Parse(args).InvokeAsync();
