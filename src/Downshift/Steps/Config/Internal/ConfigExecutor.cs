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

    /// <summary>What the check read: the engine prepares right after it on this executor, so prepare needs no read of its own.</summary>
    private ConfigFile? checkedFile;

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
        var file = await ConfigFile.ReadAsync(context.Host, options.Path, cancellationToken);
        checkedFile = file;
        if (file.Leftovers.Count > 0 || file.Content is not { } current)
        {
            return CheckResult.NotDone;
        }

        var result = format.Apply(current, ConfigEdits.From(options));
        return result.IsSuccess && result.Content.AsSpan().SequenceEqual(current) ? CheckResult.Done : CheckResult.NotDone;
    }

    /// <summary>Saves the original and every leftover beside it in one command; the file's type comes from the check's read.</summary>
    public async Task<UndoData> PrepareAsync(StepContext context, CancellationToken cancellationToken)
    {
        var stat = (checkedFile ?? await ConfigFile.ReadAsync(context.Host, options.Path, cancellationToken)).Stat;
        checkedFile = null;
        if (stat.Type is not (PathType.File or PathType.Missing))
        {
            throw DownshiftException.InvalidState($"{options.Path} is a {stat.Type.ToString().ToLowerInvariant()}, not a regular file; point the config step at the file itself");
        }

        var work = StepWork.DirectoryFor(context);
        var saves = new List<(string Path, string Copy)> { (options.Path, $"{work}/original") };
        saves.AddRange(Leftover.All.Select(l => (options.Path + l.Suffix, $"{work}/leftover{l.Suffix}")));
        var saved = await StepWork.SaveManyAsync(context.Host, saves, cancellationToken);
        var values = new Dictionary<string, string>
        {
            [SavedKey] = $"{work}/original",
            [ExistedKey] = saved.Contains(options.Path) ? "true" : "false",
        };
        foreach (var leftover in Leftover.All.Where(l => saved.Contains(options.Path + l.Suffix)))
        {
            values[LeftoverPrefix + leftover.Suffix] = $"{work}/leftover{leftover.Suffix}";
        }

        return new UndoData(values);
    }

    public async Task<StepOutcome> ExecuteAsync(StepContext context, UndoData prepared, CancellationToken cancellationToken)
    {
        var file = await ConfigFile.ReadAsync(context.Host, options.Path, cancellationToken);
        var (stat, current, leftovers) = (file.Stat, file.Content ?? [], file.Leftovers);
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
            // Mode and owner: those of the file it replaces.
            await context.Host.WriteFileAtomicAsync(options.Path, updated, mode: null, owner: null, cancellationToken);
        }

        notes.AddRange(await PutAwayAsync(context, prepared, leftovers, packageDefault, cancellationToken));
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

    /// <summary>Removes the leftovers prepare saved, in one command; one note per leftover.</summary>
    private async Task<IReadOnlyList<string>> PutAwayAsync(
        StepContext context, UndoData prepared, IReadOnlyList<Leftover> leftovers, Leftover? used, CancellationToken cancellationToken)
    {
        var notes = new List<string>();
        var remove = new List<string>();
        foreach (var leftover in leftovers)
        {
            var path = options.Path + leftover.Suffix;
            if (prepared.Get(LeftoverPrefix + leftover.Suffix) is not { } saved)
            {
                notes.Add($"{path} ({leftover.Meaning}) appeared after the step was prepared; left in place");
                continue;
            }

            remove.Add(path);
            var what = leftover == used ? "used as the base" : leftover.IsPackageDefault ? "not used (package-default is false)" : "not used";
            notes.Add($"{path} ({leftover.Meaning}): {what}; moved to {saved} (undo puts it back)");
        }

        if (remove.Count > 0)
        {
            await context.Host.RunCheckedAsync(
                $"rm -f -- {string.Join(' ', remove.Select(Sh.Quote))}", cancellationToken, $"remove {string.Join(", ", remove)} (saved in the step's work directory)");
        }

        return notes;
    }
}
