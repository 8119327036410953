using Serving.Planning.LoadTests;

namespace Serving.LoadTest.Runner;

/// <summary>Hears about requests as they go out and come back (the live progress display).</summary>
internal interface IRunObserver
{
    void OnSent(int index);

    void OnCompleted(RequestResult result);
}
