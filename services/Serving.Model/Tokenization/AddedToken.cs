namespace Serving.Model.Tokenization;

/// <summary>A token matched verbatim before BPE (tokenizer.json's added_tokens).</summary>
internal sealed record AddedToken(int Id, string Content, bool Special);
