namespace Serving.LoadTest.Soak.Faults;

/// <summary>
/// One injected fault: what, on what, from when until the system should have recovered (soak seconds), and how it
/// went. Error-level log lines inside [<see cref="StartS"/>, <see cref="EndS"/> + grace] are put down to it.
/// </summary>
internal sealed record FaultRecord(string Kind, string Target, double StartS, double EndS, bool Ok, string Detail);
