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

    // Exits of the execute and undo scripts.
    private const int CannotUnpack = 3;
    private const int NotASymlinkExit = 4;
    private const int FinalNotADirectory = 5;
    private const int NoArchive = 6;
    private const int CannotSwitch = 7;

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
        var stats = await context.Host.StatManyAsync([Current, Final], cancellationToken);
        var (current, final) = (stats[0], stats[1]);
        if (current.Type is not (PathType.Missing or PathType.Symlink))
        {
            throw DownshiftException.InvalidState(NotASymlink(current.Type.ToString().ToLowerInvariant()));
        }

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

    /// <summary>
    /// One command: refuse a <c>current</c> that is not a symlink, unpack unless <c>releases/VERSION</c>
    /// is already a directory (the archive is sent only when prepare found none), then switch.
    /// </summary>
    public async Task<StepOutcome> ExecuteAsync(StepContext context, UndoData prepared, CancellationToken cancellationToken)
    {
        var archive = Path.GetFullPath(Path.Combine(context.PlanDirectory, options.Archive));
        var send = prepared.Get(VersionExistedKey) != "true" && System.IO.File.Exists(archive);
        var bytes = send ? await System.IO.File.ReadAllBytesAsync(archive, cancellationToken) : null;
        var (f, partial) = (Sh.Quote(Final), Sh.Quote(Partial));
        var unpack = send
            ? $"mkdir -p -- {Sh.Quote(options.Root + "/releases")} && rm -rf -- {partial} && mkdir -- {partial} || exit {CannotUnpack}; " +
              $"if ! tar --no-same-owner -xzf - -C {partial} --strip-components={options.StripComponents}; then rm -rf -- {partial}; exit {CannotUnpack}; fi; " +
              $"mv -T -- {partial} {f} || exit {CannotUnpack}; echo unpacked"
            : $"exit {NoArchive}";
        var script = GuardScript() +
                     $"if [ -d {f} ] && ! [ -L {f} ]; then {(send ? "cat >/dev/null; " : "")}echo reused; " +
                     $"elif [ -e {f} ] || [ -L {f} ]; then stat -c %F -- {f}; exit {FinalNotADirectory}; " +
                     $"else {unpack}; fi; " +
                     SwitchScript(Target);
        var result = await context.Host.RunAsync(
            new HostCommand(script)
            {
                Stdin = bytes,
                Display = $"unpack {options.Archive} ({bytes?.Length ?? 0} bytes) into {Final} unless it exists; switch {Current} -> {Target}",
            },
            cancellationToken);
        var said = result.StdoutText.Trim();
        var unpacked = said.StartsWith("reused", StringComparison.Ordinal) ? $"reused existing {Final}" : $"unpacked {options.Archive} into {Final}";
        return result.ExitCode switch
        {
            0 => StepOutcome.Succeeded($"{unpacked}; {Current}: {prepared.Get(CurrentTargetKey) ?? "(none)"} -> {Target}"),
            NotASymlinkExit => StepOutcome.Failed(NotASymlink(said)),
            FinalNotADirectory => StepOutcome.Failed($"{Final} exists but is not a directory ({said}); refusing to use it"),
            NoArchive => StepOutcome.Failed($"release archive '{options.Archive}' does not exist on the controller (looked at '{archive}')"),
            CannotUnpack => StepOutcome.Failed(
                $"cannot unpack '{options.Archive}' into {Final} (exit {result.ExitCode}): {result.Output.Trim()}; {Current} was not changed"),
            _ => StepOutcome.Failed($"{unpacked}, but cannot switch {Current} to {Target}: {result.Output.Trim()}"),
        };
    }

    /// <summary>One command: switch <c>current</c> back (or remove it) and remove the release this step unpacked.</summary>
    public async Task<StepOutcome> UndoAsync(StepContext context, UndoData prepared, CancellationToken cancellationToken)
    {
        var existed = prepared.Require(CurrentExistedKey) == "true";
        var previous = existed ? prepared.Require(CurrentTargetKey) : null;
        var keep = prepared.Require(VersionExistedKey) == "true";
        var script = GuardScript() +
                     (previous is null ? $"rm -f -- {Sh.Quote(Current)} || exit {CannotSwitch}; " : SwitchScript(previous)) +
                     (keep ? "" : $"rm -rf -- {Sh.Quote(Final)} {Sh.Quote(Partial)}");
        var result = await context.Host.RunAsync(
            new HostCommand(script) { Display = $"switch {Current} back to {previous ?? "(none)"}" + (keep ? "" : $"; remove {Final}") },
            cancellationToken);
        if (result.ExitCode == NotASymlinkExit)
        {
            return StepOutcome.Failed(NotASymlink(result.StdoutText.Trim()));
        }

        if (!result.Succeeded)
        {
            return StepOutcome.Failed(previous is null
                ? $"cannot remove {Current} or {Final}: {result.Output.Trim()}"
                : $"cannot switch {Current} back to {previous}: {result.Output.Trim()}");
        }

        var switched = previous is null ? $"removed {Current} (there was none before)" : $"{Current} -> {previous}";
        return StepOutcome.Succeeded(keep ? $"{switched}; kept {Final} (it existed before)" : $"{switched}; removed {Final}");
    }

    /// <summary>Stops with <see cref="NotASymlinkExit"/>, printing its type, when <c>current</c> exists and is not a symlink.</summary>
    private string GuardScript()
    {
        var c = Sh.Quote(Current);
        return $"if [ -e {c} ] && ! [ -L {c} ]; then stat -c %F -- {c}; exit {NotASymlinkExit}; fi; ";
    }

    /// <summary><c>ln -sfn</c> beside <c>current</c>, then a rename over it: the switch is atomic.</summary>
    private string SwitchScript(string target)
    {
        var temp = Sh.Quote($"{options.Root}/.current.tmp");
        return $"{{ ln -sfn -- {Sh.Quote(target)} {temp} && mv -T -- {temp} {Sh.Quote(Current)}; }} || exit {CannotSwitch}; ";
    }

    private string NotASymlink(string type) =>
        $"{Current} exists but is not a symlink ({type}); a release step only switches a symlink — move it aside first";
}
