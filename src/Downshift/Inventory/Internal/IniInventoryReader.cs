using System.Text;

namespace Downshift.Inventory.Internal;

/// <summary>
/// Ansible's INI inventory: <c>[group]</c> host lines (<c>name key=value …</c>, ranges, <c>name:port</c>),
/// <c>[group:children]</c>, <c>[group:vars]</c>; hosts before any section are ungrouped; <c>#</c> and
/// <c>;</c> start comments.
/// </summary>
internal static class IniInventoryReader
{
    private enum Section
    {
        Hosts,
        Children,
        Vars,
    }

    public static void Read(string text, InventoryBuilder builder)
    {
        var group = Inventory.UngroupedGroup;
        var section = Section.Hosts;
        var lineNumber = 0;
        foreach (var raw in text.Split('\n'))
        {
            lineNumber++;
            var line = raw.TrimEnd('\r');
            var trimmed = line.Trim();
            if (trimmed.Length == 0 || trimmed[0] is '#' or ';')
            {
                continue;
            }

            var column = line.IndexOf(trimmed[0], StringComparison.Ordinal) + 1;
            if (trimmed[0] == '[')
            {
                (group, section) = ReadHeader(trimmed, builder, lineNumber, column, group, section);
                continue;
            }

            var tokens = Tokenize(line, builder, lineNumber);
            if (tokens.Count == 0)
            {
                continue;
            }

            switch (section)
            {
                case Section.Children:
                    builder.AddChild(group, tokens[0].Text, builder.At(lineNumber, tokens[0].Column));
                    break;
                case Section.Vars:
                    ReadVar(tokens, builder, lineNumber, group);
                    break;
                default:
                    ReadHost(tokens, builder, lineNumber, group);
                    break;
            }
        }
    }

    private static (string Group, Section Section) ReadHeader(string trimmed, InventoryBuilder builder, int line, int column, string group, Section section)
    {
        if (!trimmed.EndsWith(']'))
        {
            builder.Error(builder.At(line, column), $"a section header ends with ']': {trimmed}");
            return (group, section);
        }

        var name = trimmed[1..^1].Trim();
        var colon = name.IndexOf(':', StringComparison.Ordinal);
        var kind = colon < 0 ? "" : name[(colon + 1)..];
        name = colon < 0 ? name : name[..colon];
        if (name.Length == 0 || name.Any(char.IsWhiteSpace))
        {
            builder.Error(builder.At(line, column), $"'{trimmed}' does not name a group");
            return (group, section);
        }

        switch (kind)
        {
            case "":
                builder.AddGroup(name);
                return (name, Section.Hosts);
            case "children":
                builder.AddGroup(name);
                return (name, Section.Children);
            case "vars":
                builder.AddGroup(name);
                return (name, Section.Vars);
            default:
                builder.Error(builder.At(line, column + 1 + colon + 1), $"unknown section kind ':{kind}' (use [{name}], [{name}:children] or [{name}:vars])");
                return (name, Section.Hosts);
        }
    }

    private static void ReadVar(List<Token> tokens, InventoryBuilder builder, int line, string group)
    {
        var text = string.Join(' ', tokens.Select(t => t.Text));
        var equals = text.IndexOf('=', StringComparison.Ordinal);
        if (equals <= 0)
        {
            builder.Error(builder.At(line, tokens[0].Column), $"a line of [{group}:vars] is key=value, not '{text}'");
            return;
        }

        builder.SetGroupVar(group, text[..equals].Trim(), new InventoryVar(text[(equals + 1)..].Trim(), builder.At(line, tokens[0].Column)));
    }

    private static void ReadHost(List<Token> tokens, InventoryBuilder builder, int line, string group)
    {
        var vars = new List<KeyValuePair<string, InventoryVar>>();
        foreach (var token in tokens.Skip(1))
        {
            var equals = token.Text.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0)
            {
                builder.Error(builder.At(line, token.Column), $"'{token.Text}' after a host name must be key=value");
                continue;
            }

            vars.Add(new(token.Text[..equals], new InventoryVar(token.Text[(equals + 1)..], builder.At(line, token.Column + equals + 1))));
        }

        var name = tokens[0].Text;
        if (name.Contains('=', StringComparison.Ordinal))
        {
            builder.Error(builder.At(line, tokens[0].Column), $"a host line starts with the host's name, not '{name}'");
            return;
        }

        // name:port, as Ansible reads it (not for IPv6 addresses, which hold several colons).
        var colon = name.LastIndexOf(':');
        if (colon > 0 && name.IndexOf(':', StringComparison.Ordinal) == colon && !name.EndsWith(']'))
        {
            vars.Insert(0, new("ansible_port", new InventoryVar(name[(colon + 1)..], builder.At(line, tokens[0].Column + colon + 1))));
            name = name[..colon];
        }

        var names = HostRanges.Expand(name, out var error);
        if (names is null)
        {
            builder.Error(builder.At(line, tokens[0].Column), error!);
            return;
        }

        foreach (var host in names)
        {
            builder.AddHost(group, host, vars);
        }
    }

    private sealed record Token(string Text, int Column);

    /// <summary>Splits on blanks, keeping '…' and "…" together (quotes removed); a token starting with # ends the line.</summary>
    private static List<Token> Tokenize(string line, InventoryBuilder builder, int lineNumber)
    {
        var tokens = new List<Token>();
        var i = 0;
        while (i < line.Length)
        {
            if (char.IsWhiteSpace(line[i]))
            {
                i++;
                continue;
            }

            if (line[i] == '#')
            {
                break;
            }

            var start = i;
            var text = new StringBuilder();
            while (i < line.Length && !char.IsWhiteSpace(line[i]))
            {
                if (line[i] is '\'' or '"')
                {
                    var quote = line[i];
                    var end = line.IndexOf(quote, i + 1);
                    if (end < 0)
                    {
                        builder.Error(builder.At(lineNumber, i + 1), $"unclosed {quote}");
                        end = line.Length;
                    }

                    text.Append(line, i + 1, Math.Max(0, end - i - 1));
                    i = end + 1;
                }
                else
                {
                    text.Append(line[i++]);
                }
            }

            tokens.Add(new Token(text.ToString(), start + 1));
        }

        return tokens;
    }
}
