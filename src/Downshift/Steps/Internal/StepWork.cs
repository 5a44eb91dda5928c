using Downshift.Hosts;

namespace Downshift.Steps.Internal;

/// <summary>
/// Where a step keeps its saved originals on the host (the step's work directory) and how it saves and restores a path with <c>cp -a</c> (bytes, mode, owner, links).
/// </summary>
internal static class StepWork
{
    /// <summary>The step's own folder: the engine names it per run and step (runs/RUN/003-id); saving creates it.</summary>
    public static string DirectoryFor(StepContext context) => context.WorkDirectory.TrimEnd('/');

    /// <summary>Copies <paramref name="path"/> (any type) to <paramref name="copy"/>; false when the path does not exist.</summary>
    public static async Task<bool> SaveAsync(IHostTransport host, string path, string copy, CancellationToken cancellationToken) =>
        (await SaveManyAsync(host, [(path, copy)], cancellationToken)).Count == 1;

    /// <summary>Copies each path that exists (any type) to its copy, in one command; returns the paths it saved.</summary>
    public static async Task<IReadOnlySet<string>> SaveManyAsync(
        IHostTransport host, IReadOnlyList<(string Path, string Copy)> saves, CancellationToken cancellationToken)
    {
        var script = "set -e; " + string.Concat(saves.Select((s, i) =>
        {
            var (p, c) = (Sh.Quote(s.Path), Sh.Quote(s.Copy));
            return $"if [ -e {p} ] || [ -L {p} ]; then mkdir -p -- {Sh.Quote(Parent(s.Copy))}; rm -rf -- {c}; cp -a -- {p} {c}; echo {i}; fi; ";
        }));
        var display = string.Join("; ", saves.Select(s => $"save {s.Path} to {s.Copy}"));
        var result = await host.RunCheckedAsync(script, cancellationToken, display);
        var saved = result.StdoutText.Split('\n', StringSplitOptions.RemoveEmptyEntries).ToHashSet(StringComparer.Ordinal);
        return saves.Where((_, i) => saved.Contains(i.ToString(System.Globalization.CultureInfo.InvariantCulture)))
            .Select(s => s.Path).ToHashSet(StringComparer.Ordinal);
    }

    /// <summary>
    /// Puts a saved copy back in place (a fresh <c>cp -a</c> beside the path, then rename), so it can
    /// run any number of times. Returns null on success, else why it could not.
    /// </summary>
    public static async Task<string?> RestoreAsync(IHostTransport host, string copy, string path, CancellationToken cancellationToken)
    {
        var (p, c) = (Sh.Quote(path), Sh.Quote(copy));
        var stage = Sh.Quote(path + ".downshift-restore");
        var old = Sh.Quote(path + ".downshift-old");
        var script =
            $"set -e; if ! [ -e {c} ] && ! [ -L {c} ]; then echo 'saved copy {copy} is missing' >&2; exit 3; fi; " +
            $"mkdir -p -- {Sh.Quote(Parent(path))}; rm -rf -- {stage} {old}; cp -a -- {c} {stage}; " +
            $"if {{ [ -d {p} ] && ! [ -L {p} ]; }} || {{ [ -d {stage} ] && ! [ -L {stage} ] && {{ [ -e {p} ] || [ -L {p} ]; }}; }}; " +
            $"then mv -T -- {p} {old}; fi; mv -fT -- {stage} {p}; rm -rf -- {old}";
        var result = await host.RunAsync(new HostCommand(script) { Display = $"restore {path} from {copy}" }, cancellationToken);
        return result.Succeeded ? null : $"cannot restore '{path}' from '{copy}': {result.Output.Trim()}";
    }

    public static Task RemoveAsync(IHostTransport host, string path, CancellationToken cancellationToken) =>
        host.RunCheckedAsync($"rm -rf -- {Sh.Quote(path)}", cancellationToken, $"remove {path}");

    public static string Parent(string path) => HostFiles.Parent(path);
}
