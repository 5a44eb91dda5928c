using System.Text;
using Downshift.Hosts;
using Downshift.Steps.Internal;

namespace Downshift.Steps.Config.Internal;

/// <summary>
/// Reads the config file from the host, applies the edits (<see cref="IConfigFormat"/>), writes it
/// back atomically with its mode and owner, and moves package-manager leftovers into the work directory.
/// </summary>
internal sealed class ConfigExecutor(ConfigOptions options) : IStepExecutor
{
    private const string ExistedKey = "existed";
    private const string SavedKey = "saved";
    private const string LeftoverPrefix = "leftover";

    private readonly IConfigFormat format = ConfigFormats.For(options.Format);

    public string Describe()
    {
        var parts = new List<string>();
        parts.AddRange(options.Rename.Select(r => $"rename {r.Key}->{r.Value}"));
        parts.AddRange(options.Remove.Select(k => $"remove {k}"));
        parts.AddRange(options.Set.Select(s => $"set {s.Key}={s.Value.Text}"));
        if (options.PackageDefault)
        {
            parts.Add(options.Carry.Count == 0 ? "use package default" : $"use package default carrying {string.Join(", ", options.Carry)}");
        }

        return $"config {options.Path}: {string.Join("; ", parts)}";
    }

    public string? DescribeUndo() => $"restore the original {options.Path} byte for byte and put back any package leftovers";

    public async Task<CheckResult> CheckAsync(StepContext context, CancellationToken cancellationToken)
    {
        if ((await PresentLeftoversAsync(context, cancellationToken)).Count > 0)
        {
            return CheckResult.NotDone;
        }

        var current = await ReadAsync(context, cancellationToken);
        if (current is null)
        {
            return CheckResult.NotDone;
        }

        var result = format.Apply(current, ConfigEdits.From(options));
        return result.IsSuccess && result.Content.AsSpan().SequenceEqual(current) ? CheckResult.Done : CheckResult.NotDone;
    }

    public async Task<UndoData> PrepareAsync(StepContext context, CancellationToken cancellationToken)
    {
        var stat = await context.Host.StatAsync(options.Path, cancellationToken);
        if (stat.Type is not (PathType.File or PathType.Missing))
        {
            throw DownshiftException.InvalidState($"{options.Path} is a {stat.Type.ToString().ToLowerInvariant()}, not a regular file; point the config step at the file itself");
        }

        var work = StepWork.DirectoryFor(context);
        var values = new Dictionary<string, string>
        {
            [SavedKey] = $"{work}/original",
            [ExistedKey] = await StepWork.SaveAsync(context.Host, options.Path, $"{work}/original", cancellationToken) ? "true" : "false",
        };
        foreach (var leftover in Leftover.All)
        {
            var saved = $"{work}/leftover{leftover.Suffix}";
            if (await StepWork.SaveAsync(context.Host, options.Path + leftover.Suffix, saved, cancellationToken))
            {
                values[LeftoverPrefix + leftover.Suffix] = saved;
            }
        }

        return new UndoData(values);
    }

    public async Task<StepOutcome> ExecuteAsync(StepContext context, UndoData prepared, CancellationToken cancellationToken)
    {
        var stat = await context.Host.StatAsync(options.Path, cancellationToken);
        var current = await ReadAsync(context, cancellationToken) ?? [];
        var leftovers = await PresentLeftoversAsync(context, cancellationToken);
        var notes = new List<string>();

        var baseContent = current;
        var packageDefault = options.PackageDefault ? leftovers.FirstOrDefault(l => l.IsPackageDefault) : null;
        if (packageDefault is not null)
        {
            var fresh = await context.Host.ReadFileAsync(options.Path + packageDefault.Suffix, cancellationToken);
            var carried = format.Carry(current, fresh, options.Carry);
            if (!carried.IsSuccess)
            {
                return StepOutcome.Failed($"config {options.Path}: cannot carry keys into {options.Path}{packageDefault.Suffix}: {string.Join("; ", carried.Errors)}");
            }

            baseContent = carried.Content!;
            notes.AddRange(carried.Notes);
        }

        var result = format.Apply(baseContent, ConfigEdits.From(options));
        if (!result.IsSuccess)
        {
            return StepOutcome.Failed($"config {options.Path}: {string.Join("; ", result.Errors)} (nothing was changed)");
        }

        notes.AddRange(result.Notes);
        var updated = result.Content!;
        if (stat.Type == PathType.Missing || !updated.AsSpan().SequenceEqual(current))
        {
            var owner = stat.Type == PathType.File ? (stat.Uid, stat.Gid) : ((int, int)?)null;
            await context.Host.WriteFileAtomicAsync(
                options.Path, updated, stat.Type == PathType.File ? stat.Mode : null, owner, cancellationToken);
        }

        foreach (var leftover in leftovers)
        {
            notes.Add(await PutAwayAsync(context, prepared, leftover, leftover == packageDefault, cancellationToken));
        }

        var detail = new StringBuilder(Describe()).Append('\n');
        foreach (var note in notes)
        {
            detail.Append("note: ").Append(note).Append('\n');
        }

        detail.Append(UnifiedDiff.Create(options.Path, current, updated));
        return StepOutcome.Succeeded(detail.ToString());
    }

    public async Task<StepOutcome> UndoAsync(StepContext context, UndoData prepared, CancellationToken cancellationToken)
    {
        var done = new List<string>();
        if (prepared.Require(ExistedKey) == "true")
        {
            if (await StepWork.RestoreAsync(context.Host, prepared.Require(SavedKey), options.Path, cancellationToken) is { } error)
            {
                return StepOutcome.Failed(error);
            }

            done.Add($"restored {options.Path}");
        }
        else
        {
            await context.Host.RunCheckedAsync($"rm -f -- {Sh.Quote(options.Path)}", cancellationToken, $"remove {options.Path}");
            done.Add($"removed {options.Path} (it did not exist before)");
        }

        foreach (var leftover in Leftover.All)
        {
            if (prepared.Get(LeftoverPrefix + leftover.Suffix) is { } saved)
            {
                if (await StepWork.RestoreAsync(context.Host, saved, options.Path + leftover.Suffix, cancellationToken) is { } error)
                {
                    return StepOutcome.Failed(error);
                }

                done.Add($"put back {options.Path}{leftover.Suffix}");
            }
        }

        return StepOutcome.Succeeded(string.Join("; ", done));
    }

    private async Task<string> PutAwayAsync(StepContext context, UndoData prepared, Leftover leftover, bool used, CancellationToken cancellationToken)
    {
        var path = options.Path + leftover.Suffix;
        if (prepared.Get(LeftoverPrefix + leftover.Suffix) is not { } saved)
        {
            return $"{path} ({leftover.Meaning}) appeared after the step was prepared; left in place";
        }

        await context.Host.RunCheckedAsync($"rm -f -- {Sh.Quote(path)}", cancellationToken, $"remove {path} (saved as {saved})");
        var what = used ? "used as the base" : leftover.IsPackageDefault ? "not used (package-default is false)" : "not used";
        return $"{path} ({leftover.Meaning}): {what}; moved to {saved} (undo puts it back)";
    }

    private async Task<byte[]?> ReadAsync(StepContext context, CancellationToken cancellationToken)
    {
        var stat = await context.Host.StatAsync(options.Path, cancellationToken);
        return stat.Type == PathType.File ? await context.Host.ReadFileAsync(options.Path, cancellationToken) : null;
    }

    private async Task<IReadOnlyList<Leftover>> PresentLeftoversAsync(StepContext context, CancellationToken cancellationToken)
    {
        var script = string.Concat(Leftover.All.Select(l => $"[ -e {Sh.Quote(options.Path + l.Suffix)} ] && echo {l.Suffix}; ")) + "true";
        var result = await context.Host.RunAsync(new HostCommand(script) { Journaled = false }, cancellationToken);
        var present = result.StdoutText.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        return [.. Leftover.All.Where(l => present.Contains(l.Suffix))];
    }
}
