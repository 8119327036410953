using Serving.LoadTest.Output;
using Serving.Planning.LoadTests;

namespace Serving.LoadTest.Runner;

/// <summary>What a session produced: the result in Serving.Planning's schema and the load tester's own records beside it.</summary>
internal sealed record LoadTestReport(LoadTestResult Result, ResultExtras Extras);
