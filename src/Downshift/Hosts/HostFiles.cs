using System.Globalization;

namespace Downshift.Hosts;

/// <summary>The kind of a path on a host, with its mode, owner and (for links) target.</summary>
public sealed record PathStat(string Path, PathType Type, string Mode, int Uid, int Gid, long Size, string? LinkTarget);

public enum PathType
{
    Missing,
    File,
    Directory,
    Symlink,
    Other,
}

/// <summary>File operations on a host, built on <see cref="IHostTransport.RunAsync"/> so they work over any transport.</summary>
public static class HostFiles
{
    public static async Task<PathStat> StatAsync(this IHostTransport host, string path, CancellationToken cancellationToken) =>
        (await host.StatManyAsync([path], cancellationToken))[0];

    /// <summary>Stats every path in one command; the results are in the order of <paramref name="paths"/>.</summary>
    public static async Task<IReadOnlyList<PathStat>> StatManyAsync(
        this IHostTransport host, IReadOnlyList<string> paths, CancellationToken cancellationToken)
    {
        var script = $"for p in {string.Join(' ', paths.Select(Sh.Quote))}; do " +
                     "if [ -L \"$p\" ] || [ -e \"$p\" ]; then stat -c '%F|%a|%u|%g|%s' -- \"$p\" || exit 1; " +
                     "if [ -L \"$p\" ]; then printf 'link|%s\\n' \"$(readlink -- \"$p\")\"; fi; else echo missing; fi; done";
        var result = await host.RunAsync(new HostCommand(script) { Journaled = false }, cancellationToken);
        if (!result.Succeeded)
        {
            throw DownshiftException.InvalidState($"cannot stat '{string.Join("', '", paths)}' on '{host.HostName}': {result.Output.Trim()}");
        }

        var stats = new List<PathStat>();
        foreach (var line in result.StdoutText.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            if (line.StartsWith("link|", StringComparison.Ordinal) && stats.Count > 0)
            {
                stats[^1] = stats[^1] with { LinkTarget = line["link|".Length..] };
            }
            else if (stats.Count < paths.Count)
            {
                stats.Add(ParseStat(paths[stats.Count], line));
            }
        }

        return stats.Count == paths.Count
            ? stats
            : throw DownshiftException.InvalidState($"cannot stat '{string.Join("', '", paths)}' on '{host.HostName}': unexpected answer '{result.StdoutText.Trim()}'");
    }

    /// <summary>A line of <c>stat -c '%F|%a|%u|%g|%s'</c>, or <c>missing</c>.</summary>
    internal static PathStat ParseStat(string path, string line)
    {
        if (line == "missing")
        {
            return new PathStat(path, PathType.Missing, "", -1, -1, 0, null);
        }

        var parts = line.Split('|');
        var type = parts[0] switch
        {
            "regular file" or "regular empty file" => PathType.File,
            "directory" => PathType.Directory,
            "symbolic link" => PathType.Symlink,
            _ => PathType.Other,
        };
        return new PathStat(
            path,
            type,
            parts[1],
            int.Parse(parts[2], CultureInfo.InvariantCulture),
            int.Parse(parts[3], CultureInfo.InvariantCulture),
            long.Parse(parts[4], CultureInfo.InvariantCulture),
            null);
    }

    public static async Task<byte[]> ReadFileAsync(this IHostTransport host, string path, CancellationToken cancellationToken)
    {
        var result = await host.RunAsync(
            new HostCommand($"cat -- {Sh.Quote(path)}") { Journaled = false }, cancellationToken);
        return result.Succeeded
            ? result.Stdout
            : throw DownshiftException.InvalidState($"cannot read '{path}' on '{host.HostName}': {result.Stderr.Trim()}");
    }

    /// <summary>
    /// Writes a file atomically: a temporary file beside it (<c>PATH.downshift-new</c>, the parent made
    /// if missing), fsync, then rename. Mode and owner (<c>user</c> or <c>user:group</c>) are applied
    /// before the rename, so the file never exists with the wrong ones; null keeps those of the regular
    /// file it replaces. A directory at the path is replaced too.
    /// </summary>
    public static async Task WriteFileAtomicAsync(
        this IHostTransport host,
        string path,
        ReadOnlyMemory<byte> content,
        string? mode,
        string? owner,
        CancellationToken cancellationToken)
    {
        var (p, next, old) = (Sh.Quote(path), Sh.Quote(path + ".downshift-new"), Sh.Quote(path + ".downshift-old"));
        var replacesFile = $"[ -f {p} ] && ! [ -L {p} ]";
        var script = $"set -e; mkdir -p -- {Sh.Quote(Parent(path))}; " +
                     $"rm -rf -- {next} {old}; cat > {next}; " +
                     (mode is null ? $"if {replacesFile}; then chmod --reference={p} -- {next}; fi; " : $"chmod {Sh.Quote(mode)} -- {next}; ") +
                     (owner is null ? $"if {replacesFile}; then chown --reference={p} -- {next}; fi; " : $"chown {Sh.Quote(owner)} -- {next}; ") +
                     $"sync -- {next} 2>/dev/null || true; " +
                     $"if [ -d {p} ] && ! [ -L {p} ]; then mv -T -- {p} {old}; fi; mv -fT -- {next} {p}; rm -rf -- {old}";
        var result = await host.RunAsync(
            new HostCommand(script) { Stdin = content, Display = $"write {path} ({content.Length} bytes)" },
            cancellationToken);
        if (!result.Succeeded)
        {
            throw DownshiftException.InvalidState($"cannot write '{path}' on '{host.HostName}': {result.Stderr.Trim()}");
        }
    }

    /// <summary>Runs a command and throws with its output when it fails: for steps' own plumbing.</summary>
    public static async Task<CommandResult> RunCheckedAsync(
        this IHostTransport host, string script, CancellationToken cancellationToken, string? display = null)
    {
        var result = await host.RunAsync(new HostCommand(script) { Display = display }, cancellationToken);
        return result.Succeeded
            ? result
            : throw DownshiftException.InvalidState(
                $"'{display ?? script}' failed on '{host.HostName}' (exit {result.ExitCode}): {result.Output.Trim()}");
    }

    /// <summary>The directory a host path is in (<c>.</c> for a bare name), by its text.</summary>
    public static string Parent(string path)
    {
        var trimmed = path.TrimEnd('/');
        var slash = trimmed.LastIndexOf('/');
        return slash switch
        {
            < 0 => ".",
            0 => "/",
            _ => trimmed[..slash],
        };
    }
}
