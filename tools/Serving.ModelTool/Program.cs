using Serving.Engine.Checkpoint.Gguf;
using Serving.Engine.DefaultModel;

// Thin CLI over the engine's model writers.
const string Usage = """
    usage:
      write-default [--out DIR]              write the default tiny model (default: the model cache)
      write-gguf --model DIR --out FILE.gguf convert a checkpoint folder to GGUF for llama.cpp
    """;

string? Option(string name)
{
    int i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
}

switch (args.FirstOrDefault())
{
    case "write-default":
        if (Option("--out") is { } outDir)
        {
            TinyModelWriter.Write(outDir, TinyModelSpec.Default);
            Console.WriteLine(Path.GetFullPath(outDir));
        }
        else
        {
            Console.WriteLine(DefaultModelStore.EnsureDefault());
        }
        return 0;
    case "write-gguf" when Option("--model") is { } model && Option("--out") is { } outFile:
        GgufWriter.Write(model, outFile);
        Console.WriteLine(Path.GetFullPath(outFile));
        return 0;
    default:
        Console.Error.WriteLine(Usage);
        return 2;
}
