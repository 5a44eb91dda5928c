using System.Text;

namespace Downshift.Fingerprints.Internal;

/// <summary>
/// Reads the file parts: <c>find -printf '%y\0%m\0%u\0%g\0%l\0%p\0'</c> records (or <c>missing</c> with
/// the path) and <c>sha256sum -z</c> lines (<c>HASH  PATH\0</c>, names unescaped).
/// </summary>
internal static class FileRecords
{
    public const string Missing = "missing";

    private const int Fields = 6;

    /// <summary>The records of a walk, keyed by path, each with its hash from <paramref name="hashes"/> when it is a regular file.</summary>
    public static IEnumerable<KeyValuePair<string, FileEntry>> Read(byte[] records, IReadOnlyDictionary<string, string> hashes)
    {
        var fields = Split(records);
        for (var i = 0; i + Fields <= fields.Count; i += Fields)
        {
            var (type, mode, owner, group, target, path) = (fields[i], fields[i + 1], fields[i + 2], fields[i + 3], fields[i + 4], fields[i + 5]);
            var entry = type == Missing
                ? new FileEntry(Missing, null, null, null)
                : new FileEntry(TypeWord(type), mode.PadLeft(4, '0'), owner, group)
                {
                    Sha256 = type == "f" ? hashes.GetValueOrDefault(path, "unreadable") : null,
                    Target = type == "l" ? target : null,
                };
            yield return KeyValuePair.Create(path, entry);
        }
    }

    /// <summary><c>sha256sum -z</c> output: path → lower-case hex digest.</summary>
    public static IReadOnlyDictionary<string, string> Hashes(byte[] output)
    {
        var hashes = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var line in Split(output))
        {
            // 64 hex digits, a space, then ' ' (text) or '*' (binary), then the path.
            if (line.Length > 66 && line[64] == ' ')
            {
                hashes[line[66..]] = line[..64];
            }
        }

        return hashes;
    }

    private static List<string> Split(byte[] bytes)
    {
        var text = Encoding.UTF8.GetString(bytes);
        var fields = text.Split('\0').ToList();
        if (fields.Count > 0 && fields[^1].Length == 0)
        {
            fields.RemoveAt(fields.Count - 1);
        }

        return fields;
    }

    private static string TypeWord(string letter) => letter switch
    {
        "f" => "file",
        "d" => "directory",
        "l" => "symlink",
        "p" => "fifo",
        "s" => "socket",
        "c" => "char-device",
        "b" => "block-device",
        _ => "other",
    };
}
