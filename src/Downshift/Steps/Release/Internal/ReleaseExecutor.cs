using Downshift.Hosts;

namespace Downshift.Steps.Release.Internal;

/// <summary>
/// Unpacks into <c>releases/.VERSION.partial</c>, renames it to <c>releases/VERSION</c>, then points
/// <c>current</c> at it with <c>ln -sfn</c> + <c>mv -T</c> (a rename, so the switch is atomic).
/// </summary>
internal sealed class ReleaseExecutor(ReleaseOptions options) : IStepExecutor
{
    private const string CurrentExistedKey = "current-existed";
    private const string CurrentTargetKey = "current-target";
    private const string VersionExistedKey = "version-existed";

    private string Current => $"{options.Root}/current";

    private string Target => $"releases/{options.Version}";

    private string Final => $"{options.Root}/releases/{options.Version}";

    private string Partial => $"{options.Root}/releases/.{options.Version}.partial";

    public string Describe() =>
        $"release {options.Root}: unpack {options.Archive} as releases/{options.Version} and switch current to it" +
        (options.StripComponents > 0 ? $" (strip {options.StripComponents})" : "");

    public string? DescribeUndo() =>
        $"switch {Current} back to its previous target (or remove it if there was none); remove releases/{options.Version} if this step created it";

    public async Task<CheckResult> CheckAsync(StepContext context, CancellationToken cancellationToken)
    {
        var (c, f) = (Sh.Quote(Current), Sh.Quote(Final));
        var script = $"if [ -L {c} ] && [ -d {f} ] && ! [ -L {f} ] && [ \"$(readlink -f -- {c})\" = \"$(readlink -f -- {f})\" ]; " +
                     "then echo done; else echo notdone; fi";
        var result = await context.Host.RunAsync(new HostCommand(script) { Journaled = false }, cancellationToken);
        return !result.Succeeded ? CheckResult.Unknown
            : result.StdoutText.Trim() == "done" ? CheckResult.Done
            : CheckResult.NotDone;
    }

    public async Task<UndoData> PrepareAsync(StepContext context, CancellationToken cancellationToken)
    {
        var current = await context.Host.StatAsync(Current, cancellationToken);
        if (NotASymlink(current) is { } problem)
        {
            throw DownshiftException.InvalidState(problem);
        }

        var final = await context.Host.StatAsync(Final, cancellationToken);
        var values = new Dictionary<string, string>
        {
            [CurrentExistedKey] = current.Type == PathType.Symlink ? "true" : "false",
            [VersionExistedKey] = final.Type == PathType.Missing ? "false" : "true",
        };
        if (current.LinkTarget is { } target)
        {
            values[CurrentTargetKey] = target;
        }

        return new UndoData(values);
    }

    public async Task<StepOutcome> ExecuteAsync(StepContext context, UndoData prepared, CancellationToken cancellationToken)
    {
        var current = await context.Host.StatAsync(Current, cancellationToken);
        if (NotASymlink(current) is { } problem)
        {
            return StepOutcome.Failed(problem);
        }

        var final = await context.Host.StatAsync(Final, cancellationToken);
        string unpacked;
        if (final.Type == PathType.Directory)
        {
            unpacked = $"reused existing {Final}";
        }
        else if (final.Type != PathType.Missing)
        {
            return StepOutcome.Failed($"{Final} exists but is not a directory ({final.Type}); refusing to use it");
        }
        else
        {
            var failure = await UnpackAsync(context, cancellationToken);
            if (failure is not null)
            {
                return StepOutcome.Failed(failure);
            }

            unpacked = $"unpacked {options.Archive} into {Final}";
        }

        var switched = await SwitchAsync(context, Target, cancellationToken);
        return switched.Succeeded
            ? StepOutcome.Succeeded($"{unpacked}; {Current}: {current.LinkTarget ?? "(none)"} -> {Target}")
            : StepOutcome.Failed($"{unpacked}, but cannot switch {Current} to {Target}: {switched.Output.Trim()}");
    }

    public async Task<StepOutcome> UndoAsync(StepContext context, UndoData prepared, CancellationToken cancellationToken)
    {
        var current = await context.Host.StatAsync(Current, cancellationToken);
        if (NotASymlink(current) is { } problem)
        {
            return StepOutcome.Failed(problem);
        }

        string switched;
        if (prepared.Require(CurrentExistedKey) == "true")
        {
            var previous = prepared.Require(CurrentTargetKey);
            var result = await SwitchAsync(context, previous, cancellationToken);
            if (!result.Succeeded)
            {
                return StepOutcome.Failed($"cannot switch {Current} back to {previous}: {result.Output.Trim()}");
            }

            switched = $"{Current} -> {previous}";
        }
        else
        {
            await context.Host.RunCheckedAsync($"rm -f -- {Sh.Quote(Current)}", cancellationToken, $"remove {Current}");
            switched = $"removed {Current} (there was none before)";
        }

        if (prepared.Require(VersionExistedKey) == "true")
        {
            return StepOutcome.Succeeded($"{switched}; kept {Final} (it existed before)");
        }

        await context.Host.RunCheckedAsync(
            $"rm -rf -- {Sh.Quote(Final)} {Sh.Quote(Partial)}", cancellationToken, $"remove {Final}");
        return StepOutcome.Succeeded($"{switched}; removed {Final}");
    }

    private async Task<string?> UnpackAsync(StepContext context, CancellationToken cancellationToken)
    {
        var archive = Path.GetFullPath(Path.Combine(context.PlanDirectory, options.Archive));
        if (!System.IO.File.Exists(archive))
        {
            return $"release archive '{options.Archive}' does not exist on the controller (looked at '{archive}')";
        }

        var bytes = await System.IO.File.ReadAllBytesAsync(archive, cancellationToken);
        var (partial, final) = (Sh.Quote(Partial), Sh.Quote(Final));
        var script = $"set -e; mkdir -p -- {Sh.Quote(options.Root + "/releases")}; rm -rf -- {partial}; mkdir -- {partial}; " +
                     $"if ! tar --no-same-owner -xzf - -C {partial} --strip-components={options.StripComponents}; " +
                     $"then rm -rf -- {partial}; exit 3; fi; mv -T -- {partial} {final}";
        var result = await context.Host.RunAsync(
            new HostCommand(script) { Stdin = bytes, Display = $"unpack {options.Archive} ({bytes.Length} bytes) into {Final}" },
            cancellationToken);
        return result.Succeeded
            ? null
            : $"cannot unpack '{options.Archive}' into {Final} (exit {result.ExitCode}): {result.Output.Trim()}; {Current} was not changed";
    }

    private Task<CommandResult> SwitchAsync(StepContext context, string target, CancellationToken cancellationToken)
    {
        var temp = Sh.Quote($"{options.Root}/.current.tmp");
        var script = $"ln -sfn -- {Sh.Quote(target)} {temp} && mv -T -- {temp} {Sh.Quote(Current)}";
        return context.Host.RunAsync(new HostCommand(script) { Display = $"switch {Current} -> {target}" }, cancellationToken);
    }

    private string? NotASymlink(PathStat current) =>
        current.Type is PathType.Missing or PathType.Symlink
            ? null
            : $"{Current} exists but is not a symlink ({current.Type}); a release step only switches a symlink — move it aside first";
}
