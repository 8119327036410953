namespace Serving.LoadTest.Workloads;

/// <summary>
/// The multi-turn workload: conversations whose every turn sends the whole history back, the answers the server gave
/// included. The first user message is <see cref="OpeningWords"/> words and a question, each later one a question of
/// <see cref="QuestionWords"/> words (or the human turns of ShareGPT conversations). Turn k + 1 of a conversation is sent
/// <see cref="ThinkTimeMs"/> after turn k's answer has fully arrived.
/// </summary>
internal sealed record MultiTurnSettings
{
    public int Conversations { get; init; } = 8;
    public int Turns { get; init; } = 6;
    public int OpeningWords { get; init; } = 500;
    public int QuestionWords { get; init; } = 60;
    public double ThinkTimeMs { get; init; }
}
