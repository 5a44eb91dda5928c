namespace Downshift.Steps.Config.Internal;

/// <summary>Where the parts of an entry line are: <c>indent key sep value trailing-comment</c>.</summary>
internal readonly record struct LineEntry(string Key, int KeyStart, int KeyEnd, int ValueStart, int ValueEnd, bool HasSeparator);

/// <summary>How one line of a key-value or ini file reads.</summary>
internal static class LineSyntax
{
    public static string? Section(string text)
    {
        var trimmed = text.Trim();
        return trimmed.Length >= 2 && trimmed[0] == '[' && trimmed.IndexOf(']') is var close and > 0
            ? trimmed[1..close].Trim()
            : null;
    }

    /// <summary>
    /// An entry, or null for blank lines, comments (<c>#</c>, <c>;</c>) and section headers. Key-value
    /// files separate with <c>=</c> or whitespace (<c>Port 22</c>); ini files with <c>=</c> or <c>:</c>.
    /// </summary>
    public static LineEntry? Entry(string text, bool ini)
    {
        var start = text.Length - text.TrimStart().Length;
        if (start == text.Length || text[start] is '#' or ';' || (ini && Section(text) is not null))
        {
            return null;
        }

        var separator = ini ? text.IndexOfAny(['=', ':'], start) : text.IndexOf('=', start);
        var keyEnd = separator;
        var valueStart = separator + 1;
        if (separator < 0)
        {
            var space = text.IndexOfAny([' ', '\t'], start);
            if (ini || space < 0)
            {
                var end = text.TrimEnd().Length;
                return new LineEntry(text[start..end], start, end, end, end, HasSeparator: false);
            }

            (keyEnd, valueStart) = (space, space);
        }

        while (keyEnd > start && text[keyEnd - 1] is ' ' or '\t')
        {
            keyEnd--;
        }

        while (valueStart < text.Length && text[valueStart] is ' ' or '\t')
        {
            valueStart++;
        }

        return new LineEntry(text[start..keyEnd], start, keyEnd, valueStart, ValueEnd(text, valueStart, ini), HasSeparator: true);
    }

    /// <summary>Writes <paramref name="value"/> in the old value's quotes, when it had them.</summary>
    public static string KeepQuotes(string oldValue, string value) =>
        oldValue.Length >= 2 && oldValue[0] is '"' or '\'' && oldValue[^1] == oldValue[0]
            ? $"{oldValue[0]}{value}{oldValue[0]}"
            : value;

    /// <summary>The value ends before an inline comment (whitespace then <c>#</c>, or <c>;</c> in ini) outside quotes.</summary>
    private static int ValueEnd(string text, int valueStart, bool ini)
    {
        char? quote = null;
        for (var i = valueStart; i < text.Length; i++)
        {
            var c = text[i];
            if (quote is not null)
            {
                quote = c == quote ? null : quote;
            }
            else if (c is '"' or '\'' && i == valueStart)
            {
                quote = c;
            }
            else if ((c == '#' || (ini && c == ';')) && i > valueStart && text[i - 1] is ' ' or '\t')
            {
                var end = i;
                while (end > valueStart && text[end - 1] is ' ' or '\t')
                {
                    end--;
                }

                return end;
            }
        }

        return text.TrimEnd().Length < valueStart ? valueStart : text.TrimEnd().Length;
    }
}
