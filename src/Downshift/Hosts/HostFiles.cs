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
    public static async Task<PathStat> StatAsync(this IHostTransport host, string path, CancellationToken cancellationToken)
    {
        var script = $"if [ -L {Sh.Quote(path)} ] || [ -e {Sh.Quote(path)} ]; then stat -c '%F|%a|%u|%g|%s' -- {Sh.Quote(path)}; " +
                     $"if [ -L {Sh.Quote(path)} ]; then readlink -- {Sh.Quote(path)}; fi; else echo missing; fi";
        var result = await host.RunAsync(new HostCommand(script) { Journaled = false }, cancellationToken);
        if (!result.Succeeded)
        {
            throw DownshiftException.InvalidState($"cannot stat '{path}' on '{host.HostName}': {result.Output.Trim()}");
        }

        var lines = result.StdoutText.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        if (lines.Length == 0 || lines[0] == "missing")
        {
            return new PathStat(path, PathType.Missing, "", -1, -1, 0, null);
        }

        var parts = lines[0].Split('|');
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
            type == PathType.Symlink && lines.Length > 1 ? lines[1] : null);
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
    /// Writes a file atomically: a temporary file beside it, fsync, then rename. Mode and owner are
    /// applied before the rename, so the file never exists with the wrong ones.
    /// </summary>
    public static async Task WriteFileAtomicAsync(
        this IHostTransport host,
        string path,
        ReadOnlyMemory<byte> content,
        string? mode,
        (int Uid, int Gid)? owner,
        CancellationToken cancellationToken)
    {
        var temp = $"{path}.downshift-tmp";
        var q = Sh.Quote(temp);
        var script = $"set -e; cat > {q}; " +
                     (mode is null ? "" : $"chmod {Sh.Quote(mode)} {q}; ") +
                     (owner is null ? "" : $"chown {owner.Value.Uid}:{owner.Value.Gid} {q}; ") +
                     $"sync -- {q} 2>/dev/null || true; mv -f -- {q} {Sh.Quote(path)}";
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
}
