using System.Globalization;
using System.Text;
using Downshift.Hosts;

namespace Downshift.Backups.Internal;

/// <summary>
/// Lists files, directories and symlinks under host paths with their metadata in one <c>find</c>
/// command (NUL-separated, so any name survives). Sockets, pipes and devices are left out and named.
/// </summary>
internal static class FileListing
{
    /// <summary>type, path, size, mode, uid, gid, user, group, mtime, link target.</summary>
    private const string Format = @"%y\0%p\0%s\0%m\0%U\0%G\0%u\0%g\0%T@\0%l\0";

    private const int Fields = 10;

    public static async Task<Listing> ListAsync(IHostTransport host, IReadOnlyList<string> roots, CancellationToken cancellationToken)
    {
        var script = $"for p in {string.Join(' ', roots.Select(Sh.Quote))}; do " +
                     "if [ -e \"$p\" ] || [ -L \"$p\" ]; then " +
                     $"find \"$p\" -ignore_readdir_race -printf '{Format}' || exit $?; " +
                     "else printf 'missing\\0%s\\0' \"$p\"; fi; done";
        var result = await host.RunAsync(
            new HostCommand(script) { Display = $"list {string.Join(", ", roots)} (find)", Timeout = BackupDefaults.CommandTimeout },
            cancellationToken);
        if (!result.Succeeded)
        {
            throw DownshiftException.InvalidState($"cannot list {string.Join(", ", roots)} on '{host.HostName}' (exit {result.ExitCode}): {result.Stderr.Trim()}");
        }

        return Parse(result.Stdout);
    }

    internal static Listing Parse(byte[] output)
    {
        var fields = Encoding.UTF8.GetString(output).Split('\0');
        var entries = new List<FileEntry>();
        var missing = new List<string>();
        var skipped = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i + 1 < fields.Length;)
        {
            if (fields[i] == "missing")
            {
                missing.Add(fields[i + 1]);
                i += 2;
                continue;
            }

            var f = fields.AsSpan(i, Fields);
            i += Fields;
            FileEntryType? type = f[0] switch
            {
                "f" => FileEntryType.File,
                "d" => FileEntryType.Directory,
                "l" => FileEntryType.Symlink,
                _ => null,
            };
            if (type is null)
            {
                skipped.Add(f[1]);
            }
            else if (seen.Add(f[1]))
            {
                entries.Add(new FileEntry(
                    f[1],
                    type.Value,
                    type == FileEntryType.File ? long.Parse(f[2], CultureInfo.InvariantCulture) : 0,
                    Modes.Format(Convert.ToInt32(f[3], 8)),
                    int.Parse(f[4], CultureInfo.InvariantCulture),
                    int.Parse(f[5], CultureInfo.InvariantCulture),
                    f[6],
                    f[7],
                    Modes.ParseEpoch(f[8]),
                    null,
                    type == FileEntryType.Symlink ? f[9] : null));
            }
        }

        return new Listing(entries, missing, skipped);
    }

    /// <summary>What <c>find</c> saw: the entries, the roots that do not exist, and the special files left out.</summary>
    internal sealed record Listing(IReadOnlyList<FileEntry> Entries, IReadOnlyList<string> Missing, IReadOnlyList<string> Skipped);
}
