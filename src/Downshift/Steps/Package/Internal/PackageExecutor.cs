using Downshift.Hosts;

namespace Downshift.Steps.Package.Internal;

/// <summary>
/// Drives one package step through its manager's scripts: stage (save both packages, simulate),
/// check, prepare (what the undo needs), execute, undo. The manager is found once per executor, and
/// the engine keeps one executor per host and step: a successful staging is remembered (prepare does
/// not verify the packages again; execute does), and a check that finds the step not done already
/// gathers what prepare returns (the engine prepares right after such a check).
/// </summary>
internal sealed class PackageExecutor(PackageOptions options) : IStepExecutor, IStagingStep
{
    private const string ManagerKey = "manager";
    private const string PreviousVersionKey = "previous-version";
    private const string HeldKey = "held";
    private const string LeftoversKey = "leftovers";

    private PackageManager? resolved;
    private bool staged;

    /// <summary>Staging's simulation changed this package alone: the package manager's dependency solver has nothing to do at the change.</summary>
    private bool alone;
    private ScriptReport? inspected;

    public string Describe() =>
        $"package {options.Name}: install version {options.Version} ({options.Manager}; conffiles: {options.Conffiles.ToString().ToLowerInvariant()}" +
        (options.Hold ? "; then hold it)" : ")") +
        (options.AllowChanges.Count > 0 ? $"; may also change {string.Join(", ", options.AllowChanges)}" : "");

    public string? DescribeUndo() =>
        $"reinstall the {options.Name} version that was installed, from the package saved at staging, and restore its hold state";

    public async Task<StepOutcome> StageAsync(StepContext context, CancellationToken cancellationToken)
    {
        var manager = await ManagerAsync(context.Host, cancellationToken);
        var result = await RunAsync(context, manager, PackageManager.Stage, $"stage {options.Name} {options.Version}: save packages, simulate", UndoData.Empty, cancellationToken);
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

        staged = true;
        alone = changes.All(c => c.Name == options.Name);
        var installed = report.One("installed") is { Length: > 0 } v ? v : "(not installed)";
        var saved = string.Join("; ", report.All("saved"));
        var notes = report.All("note");
        return StepOutcome.Succeeded(
            $"{options.Name} {installed} -> {options.Version} ({manager.Kind}); saved {saved}; " +
            PackageChanges.Others(options.Name, changes) + (notes.Count > 0 ? $"; {string.Join("; ", notes)}" : ""));
    }

    public async Task<CheckResult> CheckAsync(StepContext context, CancellationToken cancellationToken)
    {
        inspected = null;
        var result = await InspectAsync(context, prepare: false, cancellationToken);
        if (!result.Succeeded)
        {
            return CheckResult.Unknown;
        }

        var report = ScriptReport.Parse(result.StdoutText);
        inspected = report.One("prepared") == "true" ? report : null;
        return report.One("done") == "true" ? CheckResult.Done : CheckResult.NotDone;
    }

    public async Task<UndoData> PrepareAsync(StepContext context, CancellationToken cancellationToken)
    {
        var manager = await ManagerAsync(context.Host, cancellationToken);
        if (!staged)
        {
            // Not staged by this executor (a caller without staging): save the packages now, still before the change.
            var stage = await StageAsync(context, cancellationToken);
            if (!stage.IsSuccess)
            {
                throw DownshiftException.InvalidState(stage.Detail ?? $"staging {options.Name} failed");
            }
        }

        var report = inspected;
        inspected = null;
        if (report is null)
        {
            var result = await InspectAsync(context, prepare: true, cancellationToken);
            report = result.Succeeded
                ? ScriptReport.Parse(result.StdoutText)
                : throw DownshiftException.InvalidState($"cannot read the state of {options.Name} on '{context.Host.HostName}': {Reason(result)}");
        }

        return new UndoData(new Dictionary<string, string>
        {
            [ManagerKey] = manager.Kind,
            [PreviousVersionKey] = report.One("installed") ?? "",
            [HeldKey] = report.One(HeldKey) ?? "false",
            [LeftoversKey] = string.Join('\n', report.All("leftover")),
        });
    }

    public async Task<StepOutcome> ExecuteAsync(StepContext context, UndoData prepared, CancellationToken cancellationToken)
    {
        var manager = await ManagerAsync(context.Host, cancellationToken);
        var result = await RunAsync(context, manager, PackageManager.Execute, $"install {options.Name} {options.Version} ({manager.Kind})", prepared, cancellationToken);
        var report = ScriptReport.Parse(result.StdoutText);
        var detail = Details(report, prepared);
        return result.Succeeded
            ? StepOutcome.Succeeded($"{options.Name} {Previous(prepared)} -> {options.Version} ({manager.Kind}){detail}")
            : StepOutcome.Failed($"{options.Name} {options.Version} did not install: {Reason(result)}{detail}");
    }

    public async Task<StepOutcome> UndoAsync(StepContext context, UndoData prepared, CancellationToken cancellationToken)
    {
        var manager = await ManagerAsync(context.Host, cancellationToken);
        var result = await RunAsync(context, manager, PackageManager.Undo, $"reinstall {options.Name} {Previous(prepared)} ({manager.Kind})", prepared, cancellationToken);
        var report = ScriptReport.Parse(result.StdoutText);
        var restored = report.All("restored");
        var removed = report.All("removed");
        var kept = report.All("kept");
        var detail = Details(report, prepared) +
                     (restored.Count > 0 ? $"; put back the conffiles saved before the change: {string.Join(", ", restored)}" : "") +
                     (kept.Count > 0 ? $"; the files they replaced are kept: {string.Join(", ", kept)}" : "") +
                     (removed.Count > 0 ? $"; removed {string.Join(", ", removed)} (left by the change)" : "");
        return result.Succeeded
            ? StepOutcome.Succeeded($"{options.Name} is {Previous(prepared)} again (hold: {prepared.Get(HeldKey) ?? "false"}){detail}")
            : StepOutcome.Failed($"cannot bring {options.Name} back to {Previous(prepared)}: {Reason(result)}{detail}");
    }

    /// <summary>The check (and with <paramref name="prepare"/>, or when not done, prepare's data) in one script.</summary>
    private async Task<CommandResult> InspectAsync(StepContext context, bool prepare, CancellationToken cancellationToken)
    {
        var manager = await ManagerAsync(context.Host, cancellationToken);
        return await RunAsync(
            context, manager, $"PREPARE={(prepare ? 1 : 0)}\n{PackageManager.Inspect}", null, UndoData.Empty, cancellationToken, journaled: false);
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
            $"LEFT={Sh.Quote(prepared.Get(LeftoversKey) ?? "")}; ALONE={(staged && alone ? 1 : 0)}\n";
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
}
