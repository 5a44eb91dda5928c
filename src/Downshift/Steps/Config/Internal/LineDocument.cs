using System.Text;

namespace Downshift.Steps.Config.Internal;

/// <summary>Where a key lives in a line-based file: its section ("" before any header) and its name.</summary>
internal readonly record struct LineKey(string Section, string Key);

/// <summary>The lines of a key-value or ini file (Latin-1 text, line endings kept) and line-level edits.</summary>
internal sealed class LineDocument
{
    private readonly List<(string Text, string Eol)> lines;
    private readonly bool sections;

    private LineDocument(List<(string Text, string Eol)> lines, bool sections) => (this.lines, this.sections) = (lines, sections);

    public static LineDocument Parse(byte[] content, bool sections)
    {
        var text = Encoding.Latin1.GetString(content);
        var lines = new List<(string, string)>();
        var start = 0;
        while (start < text.Length)
        {
            var newline = text.IndexOf('\n', start);
            if (newline < 0)
            {
                lines.Add((text[start..], ""));
                break;
            }

            var end = newline > start && text[newline - 1] == '\r' ? newline - 1 : newline;
            lines.Add((text[start..end], text[end..(newline + 1)]));
            start = newline + 1;
        }

        return new LineDocument(lines, sections);
    }

    public byte[] ToBytes() => Encoding.Latin1.GetBytes(string.Concat(lines.Select(l => l.Text + l.Eol)));

    /// <summary>For ini, <c>section.key</c> against the sections present (longest match), else split at the first dot.</summary>
    public LineKey Address(string dotted)
    {
        var key = LineConfigFormat.Latin1(dotted);
        if (!sections)
        {
            return new LineKey("", key);
        }

        var known = lines.Select(l => LineSyntax.Section(l.Text)).OfType<string>()
            .Where(s => key.StartsWith(s + ".", StringComparison.Ordinal))
            .OrderByDescending(s => s.Length)
            .FirstOrDefault();
        if (known is not null)
        {
            return new LineKey(known, key[(known.Length + 1)..]);
        }

        var dot = key.IndexOf('.');
        return dot < 0 ? new LineKey("", key) : new LineKey(key[..dot], key[(dot + 1)..]);
    }

    public IReadOnlyList<int> Find(LineKey key)
    {
        var found = new List<int>();
        var section = "";
        for (var i = 0; i < lines.Count; i++)
        {
            if (sections && LineSyntax.Section(lines[i].Text) is { } header)
            {
                section = header;
            }
            else if (section == key.Section && LineSyntax.Entry(lines[i].Text, sections) is { } entry && entry.Key == key.Key)
            {
                found.Add(i);
            }
        }

        return found;
    }

    /// <summary>The value text of the key's last occurrence, exactly as written (quotes included).</summary>
    public string? RawValue(LineKey key)
    {
        var found = Find(key);
        if (found.Count == 0)
        {
            return null;
        }

        var text = lines[found[^1]].Text;
        var entry = LineSyntax.Entry(text, sections)!.Value;
        return text[entry.ValueStart..entry.ValueEnd];
    }

    public int RemoveAll(LineKey key)
    {
        var found = Find(key);
        foreach (var index in found.Reverse())
        {
            lines.RemoveAt(index);
        }

        return found.Count;
    }

    public void RenameKey(LineKey key, string newName)
    {
        foreach (var index in Find(key))
        {
            var (text, eol) = lines[index];
            var entry = LineSyntax.Entry(text, sections)!.Value;
            lines[index] = (text[..entry.KeyStart] + newName + text[entry.KeyEnd..], eol);
        }
    }

    /// <summary>Sets every occurrence; a new key goes after the last entry of its section (created at the end if missing).</summary>
    public void Set(LineKey key, string value, bool verbatim)
    {
        var found = Find(key);
        foreach (var index in found)
        {
            var (text, eol) = lines[index];
            var entry = LineSyntax.Entry(text, sections)!.Value;
            var written = verbatim ? value : LineSyntax.KeepQuotes(text[entry.ValueStart..entry.ValueEnd], value);
            lines[index] = entry.HasSeparator
                ? (text[..entry.ValueStart] + written + text[entry.ValueEnd..], eol)
                : (text[..entry.KeyEnd] + Separator() + written + text[entry.KeyEnd..], eol);
        }

        if (found.Count == 0)
        {
            Insert(key, $"{key.Key}{Separator()}{value}");
        }
    }

    private void Insert(LineKey key, string line)
    {
        var eol = lines.Any(l => l.Eol == "\r\n") ? "\r\n" : "\n";
        var (sectionFound, lastEntry, firstHeader) = (key.Section.Length == 0, -1, -1);
        var section = "";
        for (var i = 0; i < lines.Count; i++)
        {
            if (sections && LineSyntax.Section(lines[i].Text) is { } header)
            {
                section = header;
                firstHeader = firstHeader < 0 ? i : firstHeader;
                if (header == key.Section)
                {
                    (sectionFound, lastEntry) = (true, i);
                }
            }
            else if (section == key.Section && LineSyntax.Entry(lines[i].Text, sections) is not null)
            {
                lastEntry = i;
            }
        }

        var at = lastEntry >= 0 ? lastEntry + 1 : sectionFound && firstHeader >= 0 ? firstHeader : lines.Count;
        if (at == lines.Count && lines.Count > 0 && lines[^1].Eol.Length == 0)
        {
            lines[^1] = (lines[^1].Text, eol);
        }

        if (lastEntry >= 0 || sectionFound)
        {
            lines.Insert(at, (line, eol));
            return;
        }

        if (lines.Count > 0 && lines[^1].Text.Trim().Length > 0)
        {
            lines.Add(("", eol));
        }

        lines.Add(($"[{key.Section}]", eol));
        lines.Add((line, eol));
    }

    /// <summary>The file's own separator (from its first entry with a value), else <c>" = "</c> or <c>"="</c>.</summary>
    private string Separator()
    {
        foreach (var (text, _) in lines)
        {
            if (LineSyntax.Entry(text, sections) is { HasSeparator: true } entry)
            {
                return text[entry.KeyEnd..entry.ValueStart];
            }
        }

        return sections ? " = " : "=";
    }
}
