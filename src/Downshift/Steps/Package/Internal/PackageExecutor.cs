using Downshift.Hosts;

namespace Downshift.Steps.Package.Internal;

/// <summary>
/// Drives one package step through its manager's scripts: stage (save both packages, simulate),
/// check, prepare (what the undo needs), execute, undo. The manager is found once per executor.
/// </summary>
internal sealed class PackageExecutor(PackageOptions options) : IStepExecutor, IStagingStep
{
    private const string ManagerKey = "manager";
    private const string PreviousVersionKey = "previous-version";
    private const string PreviousFileKey = "previous-file";
    private const string HeldKey = "held";
    private const string ConffilesKey = "conffiles";
    private const string LeftoversKey = "leftovers";

    private PackageManager? resolved;

    public string Describe() =>
        $"package {options.Name}: install version {options.Version} ({options.Manager}; conffiles: {options.Conffiles.ToString().ToLowerInvariant()}" +
        (options.Hold ? "; then hold it)" : ")") +
        (options.AllowChanges.Count > 0 ? $"; may also change {string.Join(", ", options.AllowChanges)}" : "");

    public string? DescribeUndo() =>
        $"reinstall the {options.Name} version that was installed, from the package saved at staging, and restore its hold state";

    public async Task<StepOutcome> StageAsync(StepContext context, CancellationToken cancellationToken)
    {
        var manager = await ManagerAsync(context.Host, cancellationToken);
        var result = await RunAsync(context, manager, manager.Stage, $"stage {options.Name} {options.Version}: save packages, simulate", UndoData.Empty, cancellationToken);
        var report = ScriptReport.Parse(result.StdoutText);
        if (!result.Succeeded)
        {
            return StepOutcome.Failed($"staging {options.Name} {options.Version} ({manager.Kind}) failed: {Reason(result)}; nothing was changed");
        }

        var changes = manager.ParseSimulation(string.Join('\n', report.All("simulation")));
        if (PackageChanges.Refusal(options.Name, changes, options.AllowChanges) is { } refusal)
        {
            return StepOutcome.Failed(refusal);
        }

        var installed = report.One("installed") is { Length: > 0 } v ? v : "(not installed)";
        var saved = string.Join("; ", report.All("saved"));
        var notes = report.All("note");
        return StepOutcome.Succeeded(
            $"{options.Name} {installed} -> {options.Version} ({manager.Kind}); saved {saved}; " +
            PackageChanges.Others(options.Name, changes) + (notes.Count > 0 ? $"; {string.Join("; ", notes)}" : ""));
    }

    public async Task<CheckResult> CheckAsync(StepContext context, CancellationToken cancellationToken)
    {
        var manager = await ManagerAsync(context.Host, cancellationToken);
        var result = await RunAsync(context, manager, "echo \"installed=$(query)\"", null, UndoData.Empty, cancellationToken, journaled: false);
        if (!result.Succeeded)
        {
            return CheckResult.Unknown;
        }

        var installed = ScriptReport.Parse(result.StdoutText).One("installed") ?? "";
        var parts = installed.Split('|');
        return parts.Length == 2 && manager.IsVersion(parts[0], options.Version) && IsHealthy(parts[1])
            ? CheckResult.Done
            : CheckResult.NotDone;
    }

    public async Task<UndoData> PrepareAsync(StepContext context, CancellationToken cancellationToken)
    {
        var manager = await ManagerAsync(context.Host, cancellationToken);
        var result = await RunAsync(context, manager, manager.Prepare, null, UndoData.Empty, cancellationToken, journaled: false);
        if (!result.Succeeded)
        {
            throw DownshiftException.InvalidState($"cannot read the state of {options.Name} on '{context.Host.HostName}': {Reason(result)}");
        }

        var report = ScriptReport.Parse(result.StdoutText);
        if (report.One("staged") != "true")
        {
            // Not staged (an engine without staging, or a resumed run on a new work directory): save the packages now, still before the change.
            var staged = await StageAsync(context, cancellationToken);
            if (!staged.IsSuccess)
            {
                throw DownshiftException.InvalidState(staged.Detail ?? $"staging {options.Name} failed");
            }
        }

        return new UndoData(new Dictionary<string, string>
        {
            [ManagerKey] = manager.Kind,
            [PreviousVersionKey] = report.One("installed") ?? "",
            [PreviousFileKey] = report.One("file") ?? "",
            [HeldKey] = report.One(HeldKey) ?? "false",
            [ConffilesKey] = string.Join('\n', report.All("conffile")),
            [LeftoversKey] = string.Join('\n', report.All("leftover")),
        });
    }

    public async Task<StepOutcome> ExecuteAsync(StepContext context, UndoData prepared, CancellationToken cancellationToken)
    {
        var manager = await ManagerAsync(context.Host, cancellationToken);
        var result = await RunAsync(context, manager, manager.Execute, $"install {options.Name} {options.Version} ({manager.Kind})", prepared, cancellationToken);
        var report = ScriptReport.Parse(result.StdoutText);
        var detail = Details(report, prepared);
        return result.Succeeded
            ? StepOutcome.Succeeded($"{options.Name} {Previous(prepared)} -> {options.Version} ({manager.Kind}){detail}")
            : StepOutcome.Failed($"{options.Name} {options.Version} did not install: {Reason(result)}{detail}");
    }

    public async Task<StepOutcome> UndoAsync(StepContext context, UndoData prepared, CancellationToken cancellationToken)
    {
        var manager = await ManagerAsync(context.Host, cancellationToken);
        var result = await RunAsync(context, manager, manager.Undo, $"reinstall {options.Name} {Previous(prepared)} ({manager.Kind})", prepared, cancellationToken);
        var report = ScriptReport.Parse(result.StdoutText);
        var removed = report.All("removed");
        var detail = Details(report, prepared) + (removed.Count > 0 ? $"; removed {string.Join(", ", removed)} (left by the change)" : "");
        return result.Succeeded
            ? StepOutcome.Succeeded($"{options.Name} is {Previous(prepared)} again (hold: {prepared.Get(HeldKey) ?? "false"}){detail}")
            : StepOutcome.Failed($"cannot bring {options.Name} back to {Previous(prepared)}: {Reason(result)}{detail}");
    }

    private async Task<PackageManager> ManagerAsync(IHostTransport host, CancellationToken cancellationToken) =>
        resolved ??= await PackageManager.ResolveAsync(options, host, cancellationToken);

    private Task<CommandResult> RunAsync(
        StepContext context, PackageManager manager, string body, string? display, UndoData prepared,
        CancellationToken cancellationToken, bool journaled = true)
    {
        var prelude =
            $"P={Sh.Quote(options.Name)}; V={Sh.Quote(options.Version)}; W={Sh.Quote(context.WorkDirectory.TrimEnd('/'))}; " +
            $"C={(options.Conffiles == ConffilePolicy.New ? "new" : "old")}; H={(options.Hold ? 1 : 0)}; " +
            $"PV={Sh.Quote(prepared.Get(PreviousVersionKey) ?? "")}; HELD={Sh.Quote(prepared.Get(HeldKey) ?? "false")}; " +
            $"LEFT={Sh.Quote(prepared.Get(LeftoversKey) ?? "")}\n";
        return context.Host.RunAsync(
            new HostCommand(prelude + manager.Functions + "\n" + body)
            {
                Display = display,
                Journaled = journaled,
                Timeout = PackageDefaults.CommandTimeout,
            },
            cancellationToken);
    }

    private static string Details(ScriptReport report, UndoData prepared)
    {
        var parts = new List<string>(report.All("note"));
        var before = (prepared.Get(LeftoversKey) ?? "").Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var left = report.All("leftover").Where(f => !before.Contains(f)).ToList();
        if (left.Count > 0)
        {
            parts.Add($"the package manager left {string.Join(", ", left)} beside the conffiles: merge them (the config step reads these suffixes)");
        }

        if (report.One("history") is { } history)
        {
            parts.Add($"dnf history id {history}");
        }

        return parts.Count == 0 ? "" : "; " + string.Join("; ", parts);
    }

    private static string Previous(UndoData prepared) =>
        prepared.Get(PreviousVersionKey) is { Length: > 0 } version ? version : "(not installed)";

    /// <summary>The script's reason on one line (tools' multi-line errors included).</summary>
    private static string Reason(CommandResult result) =>
        string.Join(' ', result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)) is { Length: > 0 } reason
            ? reason
            : $"exit {result.ExitCode}";

    /// <summary>dpkg's <c>ii</c> or <c>hi</c> (installed and configured; held or not); rpm reports only installed packages.</summary>
    private static bool IsHealthy(string status) => status is [_, 'i', ' ', ..] or [_, 'i'] || status == "installed";
}
