using Serving.Bench;
using Serving.Tools.Shared;

return await ToolCommandLine.InvokeAsync(
    BenchCommand.Create(options => options.Suite == BenchOptions.DecodeGroupsSuite ? DecodeGroupsBench.Run(options) : LlamaCppBench.Run(options)), args);
