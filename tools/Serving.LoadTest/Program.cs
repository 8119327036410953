using Serving.LoadTest.Cli;

// Load-tests any OpenAI-compatible server; see `serving-loadtest --help` and docs/benchmarks.md.
return await LoadTestCommands.Create(args).Parse(args).InvokeAsync();
