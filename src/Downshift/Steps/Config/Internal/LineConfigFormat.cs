using System.Text;

namespace Downshift.Steps.Config.Internal;

/// <summary>
/// Key-value and ini files, edited line by line. The file is read as Latin-1 (one char per byte), so
/// every byte of an untouched line, comments, order and line endings come back exactly as they were.
/// </summary>
internal sealed class LineConfigFormat(bool sections) : IConfigFormat
{
    public ConfigResult Apply(byte[] content, ConfigEdits edits)
    {
        var doc = LineDocument.Parse(content, sections);
        var notes = new List<string>();
        var errors = new List<string>();
        foreach (var (from, to) in edits.Rename)
        {
            Rename(doc, from, to, notes, errors);
        }

        foreach (var key in edits.Remove)
        {
            if (doc.RemoveAll(doc.Address(key)) == 0)
            {
                notes.Add($"remove {key}: not present, nothing to do");
            }
        }

        foreach (var (key, value) in edits.Set)
        {
            if (value.Text.Contains('\n') || value.Text.Contains('\r'))
            {
                errors.Add($"set {key}: a value in a {Name} file cannot span lines");
                continue;
            }

            doc.Set(doc.Address(key), Latin1(value.Text), verbatim: false);
        }

        return errors.Count > 0 ? new ConfigResult(null, notes, errors) : ConfigResult.Ok(doc.ToBytes(), notes);
    }

    public ConfigResult Carry(byte[] from, byte[] into, IReadOnlyList<string> keys)
    {
        var source = LineDocument.Parse(from, sections);
        var target = LineDocument.Parse(into, sections);
        var notes = new List<string>();
        foreach (var key in keys)
        {
            if (source.RawValue(source.Address(key)) is { } raw)
            {
                target.Set(target.Address(key), raw, verbatim: true);
                notes.Add($"carried {key} from the current file");
            }
            else
            {
                notes.Add($"carry {key}: not in the current file, the package default is kept");
            }
        }

        return ConfigResult.Ok(target.ToBytes(), notes);
    }

    private string Name => sections ? "ini" : "key-value";

    private static void Rename(LineDocument doc, string from, string to, List<string> notes, List<string> errors)
    {
        var (source, target) = (doc.Address(from), doc.Address(to));
        if (doc.Find(target).Count > 0)
        {
            errors.Add($"rename {from} -> {to}: '{to}' already exists");
            return;
        }

        if (doc.Find(source).Count == 0)
        {
            notes.Add($"rename {from} -> {to}: '{from}' not present, nothing to do");
            return;
        }

        if (source.Section == target.Section)
        {
            doc.RenameKey(source, target.Key);
            return;
        }

        var raw = doc.RawValue(source)!;
        doc.RemoveAll(source);
        doc.Set(target, raw, verbatim: true);
    }

    internal static string Latin1(string text) => Encoding.Latin1.GetString(Encoding.UTF8.GetBytes(text));
}
