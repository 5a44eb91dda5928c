using System.Globalization;

namespace Downshift.Fingerprints.Internal;

/// <summary>Reads /etc/passwd and /etc/group lines (no passwords: /etc/shadow is never read).</summary>
internal static class AccountLines
{
    /// <summary><c>name:x:uid:gid:gecos:home:shell</c>.</summary>
    public static void AddUsers(IEnumerable<string> lines, IDictionary<string, UserEntry> entries)
    {
        foreach (var line in lines)
        {
            if (line.Split(':') is [var name, _, var uid, var gid, _, var home, var shell] && Id(uid) is { } u && Id(gid) is { } g)
            {
                entries[name] = new UserEntry(u, g, home, shell);
            }
        }
    }

    /// <summary><c>name:x:gid:member,member</c>; members sorted.</summary>
    public static void AddGroups(IEnumerable<string> lines, IDictionary<string, GroupEntry> entries)
    {
        foreach (var line in lines)
        {
            if (line.Split(':') is [var name, _, var gid, var members] && Id(gid) is { } g)
            {
                var sorted = members.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                    .Distinct().Order(StringComparer.Ordinal).ToList();
                entries[name] = new GroupEntry(g, sorted);
            }
        }
    }

    private static int? Id(string text) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var id) ? id : null;
}
