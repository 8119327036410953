using System.CommandLine;
using Serving.Host;

var root = new RootCommand("Serving: a disaggregated LLM serving cluster. Today: generate text with one engine.");
GenerateCommand.AddTo(root);
return root.Parse(args).Invoke();
