using Downshift.Hosts;
using Downshift.Steps.Internal;

namespace Downshift.Steps.File.Internal;

/// <summary>
/// Puts a file (written beside the destination, then renamed) or a directory (unpacked from a tar
/// stream beside it, then swapped in) in place. Prepare saves the original with <c>cp -a</c>.
/// </summary>
internal sealed class FileExecutor(FileOptions options) : IStepExecutor
{
    private const string ExistedKey = "existed";
    private const string SavedKey = "saved";

    /// <summary>What the step sends, read on the controller once per executor (a directory is a tar build and a hash of every file).</summary>
    private FileSource? source;

    public string Describe()
    {
        var what = options.Source is null ? $"{options.Content!.Length} chars of content" : $"from {options.Source}";
        var extras = (options.Mode is null ? "" : $" mode {options.Mode}") + (options.Owner is null ? "" : $" owner {options.Owner}");
        return $"file {options.Path}: put {what}{extras}";
    }

    public string? DescribeUndo() => $"restore the original {options.Path} (or remove it if there was none)";

    public async Task<CheckResult> CheckAsync(StepContext context, CancellationToken cancellationToken)
    {
        var source = await SourceAsync(context, cancellationToken);
        var p = Sh.Quote(options.Path);
        var script = source.IsDirectory
            ? $"if [ -d {p} ] && ! [ -L {p} ]; then stat -c '%a|%U:%G' -- {p}; cd -- {p} && find . -type f -print0 | xargs -0 -r sha256sum --; else echo absent; fi"
            : $"if [ -f {p} ] && ! [ -L {p} ]; then stat -c '%a|%U:%G' -- {p}; sha256sum < {p} | cut -d' ' -f1; else echo absent; fi";
        var result = await context.Host.RunAsync(new HostCommand(script) { Journaled = false }, cancellationToken);
        if (!result.Succeeded)
        {
            return CheckResult.Unknown;
        }

        var lines = result.StdoutText.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        if (lines.Length == 0 || lines[0] == "absent" || !AttributesMatch(lines[0]))
        {
            return CheckResult.NotDone;
        }

        var matches = source.IsDirectory
            ? FileSource.Sorted(lines.Skip(1)).SequenceEqual(source.Listing, StringComparer.Ordinal)
            : lines.Length == 2 && lines[1].Trim() == source.ContentHash;
        return matches ? CheckResult.Done : CheckResult.NotDone;
    }

    public async Task<UndoData> PrepareAsync(StepContext context, CancellationToken cancellationToken)
    {
        var saved = $"{StepWork.DirectoryFor(context)}/original";
        var existed = await StepWork.SaveAsync(context.Host, options.Path, saved, cancellationToken);
        return new UndoData(new Dictionary<string, string>
        {
            [ExistedKey] = existed ? "true" : "false",
            [SavedKey] = saved,
        });
    }

    public async Task<StepOutcome> ExecuteAsync(StepContext context, UndoData prepared, CancellationToken cancellationToken)
    {
        FileSource source;
        try
        {
            source = await SourceAsync(context, cancellationToken);
            if (!source.IsDirectory)
            {
                await context.Host.WriteFileAtomicAsync(options.Path, source.Payload, options.Mode, options.Owner, cancellationToken);
                return StepOutcome.Succeeded($"put file {source.Origin} at {options.Path}");
            }
        }
        catch (DownshiftException e)
        {
            return StepOutcome.Failed(e.Message);
        }

        var result = await context.Host.RunAsync(
            new HostCommand(DirectoryScript()) { Stdin = source.Payload, Display = $"put {source.Origin} at {options.Path} ({source.Payload.Length} bytes)" },
            cancellationToken);
        return result.Succeeded
            ? StepOutcome.Succeeded($"put directory {source.Origin} at {options.Path}")
            : StepOutcome.Failed($"cannot put {source.Origin} at {options.Path} (exit {result.ExitCode}): {result.Output.Trim()}");
    }

    public async Task<StepOutcome> UndoAsync(StepContext context, UndoData prepared, CancellationToken cancellationToken)
    {
        var staged = $"rm -rf -- {Sh.Quote(options.Path + ".downshift-new")}";
        await context.Host.RunCheckedAsync(staged, cancellationToken, $"remove staged copy of {options.Path}");
        if (prepared.Require(ExistedKey) != "true")
        {
            await StepWork.RemoveAsync(context.Host, options.Path, cancellationToken);
            return StepOutcome.Succeeded($"removed {options.Path} (it did not exist before)");
        }

        var saved = prepared.Require(SavedKey);
        var error = await StepWork.RestoreAsync(context.Host, saved, options.Path, cancellationToken);
        return error is null
            ? StepOutcome.Succeeded($"restored {options.Path} from {saved}")
            : StepOutcome.Failed(error);
    }

    private bool AttributesMatch(string statLine)
    {
        var parts = statLine.Split('|');
        if (parts.Length != 2)
        {
            return false;
        }

        var modeOk = options.Mode is null || Convert.ToInt32(options.Mode, 8) == Convert.ToInt32(parts[0], 8);
        var ownerOk = options.Owner is null ||
                      (options.Owner.Contains(':') ? parts[1] == options.Owner : parts[1].Split(':')[0] == options.Owner);
        return modeOk && ownerOk;
    }

    private string DirectoryScript()
    {
        var (p, next, old) = Names();
        return $"set -e; mkdir -p -- {Sh.Quote(StepWork.Parent(options.Path))}; rm -rf -- {next} {old}; mkdir -- {next}; " +
               $"if ! tar --no-same-owner -C {next} -xf -; then rm -rf -- {next}; exit 3; fi; " +
               (options.Mode is { } m ? $"chmod {Sh.Quote(m)} -- {next}; " : "") +
               (options.Owner is { } o ? $"chown -R {Sh.Quote(o)} -- {next}; " : "") +
               $"if [ -e {p} ] || [ -L {p} ]; then mv -T -- {p} {old}; fi; mv -T -- {next} {p}; rm -rf -- {old}";
    }

    private async Task<FileSource> SourceAsync(StepContext context, CancellationToken cancellationToken) =>
        source ??= await FileSource.LoadAsync(options, context.PlanDirectory, cancellationToken);

    private (string Path, string Next, string Old) Names() =>
        (Sh.Quote(options.Path), Sh.Quote(options.Path + ".downshift-new"), Sh.Quote(options.Path + ".downshift-old"));
}
