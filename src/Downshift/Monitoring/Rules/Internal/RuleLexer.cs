namespace Downshift.Monitoring.Rules.Internal;

internal enum TokenKind
{
    /// <summary>A metric, a number, a keyword, a duration: anything between spaces that is not below.</summary>
    Word,

    /// <summary>A run of <c>&lt; &gt; = !</c>: a comparison, valid or not.</summary>
    Operator,

    /// <summary><c>×</c> (the multiplication sign; an ASCII <c>x</c> is a word).</summary>
    Times,
}

/// <summary>One token of a rule and its 1-based column.</summary>
internal sealed record Token(TokenKind Kind, string Text, int Column)
{
    /// <summary>The column just past the token: where a missing word after it is reported.</summary>
    public int End => Column + Text.Length;
}

/// <summary>Splits a rule into words, comparison operators and <c>×</c>, keeping each one's column.</summary>
internal static class RuleLexer
{
    public static List<Token> Split(string text)
    {
        var tokens = new List<Token>();
        var i = 0;
        while (i < text.Length)
        {
            var c = text[i];
            if (char.IsWhiteSpace(c))
            {
                i++;
                continue;
            }

            var start = i;
            var kind = IsOperator(c) ? TokenKind.Operator : c == '×' ? TokenKind.Times : TokenKind.Word;
            i++;
            while (i < text.Length && kind != TokenKind.Times && KindOf(text[i]) == kind)
            {
                i++;
            }

            tokens.Add(new Token(kind, text[start..i], start + 1));
        }

        return tokens;
    }

    private static TokenKind? KindOf(char c) =>
        char.IsWhiteSpace(c) ? null : IsOperator(c) ? TokenKind.Operator : c == '×' ? TokenKind.Times : TokenKind.Word;

    private static bool IsOperator(char c) => c is '<' or '>' or '=' or '!';
}
