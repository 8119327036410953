namespace Serving.Engine.Checkpoint;

/// <summary>Element types of the safetensors format, named as in its header.</summary>
public enum SafeTensorDType
{
    F32,
    F16,
    BF16,
    F64,
    I64,
    I32,
    I16,
    I8,
    U8,
    BOOL,
}
