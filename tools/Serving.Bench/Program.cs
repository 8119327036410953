using Serving.Bench;
using Serving.Tools.Shared;

return await ToolCommandLine.InvokeAsync(
    BenchCommand.Create(options => options.Suite switch
    {
        BenchOptions.DecodeGroupsSuite => DecodeGroupsBench.Run(options),
        BenchOptions.SamplingSuite => SamplingBench.Run(options),
        BenchOptions.StepProfileSuite => StepProfileBench.Run(options),
        _ => LlamaCppBench.Run(options),
    }), args);
