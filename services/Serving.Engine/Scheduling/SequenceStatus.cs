namespace Serving.Engine.Scheduling;

public enum SequenceStatus
{
    Waiting,
    Running,
    /// <summary>Prefilled and kept (blocks held) so its KV can be exported; it does not decode here.</summary>
    Held,
    /// <summary>Blocks reserved; waiting for its KV to be imported from another engine.</summary>
    Importing,
    Finished,
}
