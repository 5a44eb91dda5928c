using System.Text;

namespace Downshift.Databases.Internal;

/// <summary>
/// PostgreSQL's <c>COPY ... TO STDOUT</c> text format: a row a line, columns split by tabs, <c>\N</c>
/// for NULL, and a backslash before the characters that would break that (<c>\t</c>, <c>\n</c>,
/// <c>\r</c>, <c>\\</c>, ...), so any value comes back exactly.
/// </summary>
internal static class CopyText
{
    /// <summary>The rows in <paramref name="output"/>, each column as text, SQL NULL as null.</summary>
    public static IReadOnlyList<IReadOnlyList<string?>> Parse(string output)
    {
        if (output.Length == 0)
        {
            return [];
        }

        // Every row ends with a newline; an empty line is a row of one empty column.
        var lines = (output.EndsWith('\n') ? output[..^1] : output).Split('\n');
        return [.. lines.Select(line => (IReadOnlyList<string?>)[.. line.Split('\t').Select(Field)])];
    }

    private static string? Field(string field)
    {
        if (field == "\\N")
        {
            return null;
        }

        if (!field.Contains('\\', StringComparison.Ordinal))
        {
            return field;
        }

        var text = new StringBuilder(field.Length);
        for (var i = 0; i < field.Length; i++)
        {
            if (field[i] != '\\' || i + 1 == field.Length)
            {
                text.Append(field[i]);
                continue;
            }

            var next = field[++i];
            text.Append(next switch
            {
                'b' => '\b',
                'f' => '\f',
                'n' => '\n',
                'r' => '\r',
                't' => '\t',
                'v' => '\v',
                _ => next, // '\\' and any other escaped character stand for themselves
            });
        }

        return text.ToString();
    }
}
