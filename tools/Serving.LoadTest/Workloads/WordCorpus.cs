namespace Serving.LoadTest.Workloads;

/// <summary>
/// Common English words, drawn at random: prompts for servers without /tokenize, and the text whose tokens make
/// prompts for those with it. Most are one token in BPE vocabularies, so n words are close to n tokens.
/// </summary>
internal static class WordCorpus
{
    static readonly string[] Words = """
        the of and to in is was for on that with as by at from his her they this which are were had not have be one
        all their there been when who will more if out so up said what about into than them can only other new some
        time could these two may then first any like now over such our man me even most made after also did many
        before must through back years where much your way well down should because each just those people how too
        little state good very make world still own see men work long get here between both life being under never
        day same another know while last might us great old year off come since against go came right used take
        three small house water city river field story light morning garden window table letter music paper road
        market winter summer evening family friend teacher doctor village mountain forest ocean island bridge train
        answer question reason number system problem power place point group part case week company hand eye night
        """.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);

    /// <summary><paramref name="count"/> words separated by spaces.</summary>
    public static string Text(int count, Random random) =>
        string.Join(' ', Enumerable.Range(0, count).Select(_ => Words[random.Next(Words.Length)]));

    /// <summary>An estimate of a text's tokens without a tokenizer: 1.3 per word, as English BPE averages.</summary>
    public static int EstimateTokens(string text) =>
        (int)Math.Ceiling(1.3 * text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries).Length);
}
