using System.CommandLine;
using System.Runtime.InteropServices;
using System.Text.Json;
using Downshift.Engine;
using Downshift.Hosts;
using Downshift.Journal;
using Spectre.Console;

namespace Downshift.Cli.Commands;

/// <summary>
/// What run, resume, rollback and rehearse share: the journal, the engine, Ctrl+C (first: cancel the step and
/// roll back; second: abort the rollback) and the mapping of the result to an exit code.
/// </summary>
internal static class RunSession
{
    /// <summary>What a session gives its action: the open journal, the connector, the engine built on them and Ctrl+C.</summary>
    public sealed record Context(IJournal Journal, IHostConnector Connector, RunEngine Engine, IRunObserver Observer, EngineOptions Options, RunControl Control);

    public static Task<int> ExecuteAsync(
        ParseResult parse, CliOptions options, ConsoleUi ui, Func<RunEngine, RunControl, Task<RunResult>> action) =>
        WithEngineAsync(parse, options, ui, async session => Report(ui, session.Journal, await action(session.Engine, session.Control), json: true));

    /// <summary>Opens the journal and the engine, with Ctrl+C handling, for <paramref name="action"/>; returns its exit code.</summary>
    public static async Task<int> WithEngineAsync(ParseResult parse, CliOptions options, ConsoleUi ui, Func<Context, Task<int>> action)
    {
        using var cancel = new CancellationTokenSource();
        using var abort = new CancellationTokenSource();
        void OnSignal(PosixSignalContext context)
        {
            context.Cancel = true;
            if (!cancel.IsCancellationRequested)
            {
                ui.Error.MarkupLine("[yellow]cancelling: stopping the current step and rolling back (press Ctrl+C again to abort the rollback)[/]");
                cancel.Cancel();
            }
            else
            {
                ui.Error.MarkupLine("[red]aborting the rollback: the run will need attention[/]");
                abort.Cancel();
            }
        }

        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);

        await using var journal = await options.OpenJournalAsync(parse, CancellationToken.None);
        var time = TimeProvider.System;
        using var connector = HostConnectors.Create(parse, options, time);
        var observer = new ProgressObserver(ui, time);
        var engineOptions = await options.EngineOptionsAsync(parse, CancellationToken.None);
        var engine = new RunEngine(journal, connector, time, observer, engineOptions);
        return await action(new Context(journal, connector, engine, observer, engineOptions, new RunControl(cancel.Token, abort.Token)));
    }

    /// <summary>Prints a run's outcome (and, with <paramref name="json"/> under --json, its JSON on stdout); returns its exit code.</summary>
    public static int Report(ConsoleUi ui, IJournal journal, RunResult result, bool json)
    {
        var hosts = result.Hosts;
        var code = CodeOf(result);
        if (ui.Json && json)
        {
            ui.Data(JsonSerializer.Serialize(new
            {
                run = result.RunId,
                status = result.Refusal is null ? result.Status.ToWire() : "refused",
                exitCode = code,
                summary = result.Summary,
                attention = result.Attention,
                hosts = hosts.Select(h => new { host = h.Host, state = h.State.ToWire(), lastStep = h.LastStep }),
                journal = journal.Location,
            }));
        }

        if (result.Refusal is not null)
        {
            ui.Fail($"refused: {result.Refusal}");
            return code;
        }

        if (hosts.Count > 1)
        {
            foreach (var host in hosts)
            {
                ui.Line($"  host {Markup.Escape(host.Host),-12} {HostColor(host.State)}  last step: {Markup.Escape(host.LastStep ?? "-")}");
            }
        }

        var color = result.Status switch
        {
            RunStatus.Succeeded => "green",
            RunStatus.RolledBack or RunStatus.Cancelled or RunStatus.Partial => "yellow",
            _ => "red",
        };
        ui.Line($"[{color} bold]{result.Status.ToWire().ToUpperInvariant()}[/] run {Markup.Escape(result.RunId)}: {Markup.Escape(result.Summary)}");
        foreach (var item in result.Attention)
        {
            ui.Line($"  [red]needs attention:[/] {Markup.Escape(item)}");
        }

        ui.Line($"[grey]journal: {Markup.Escape(journal.Location)} — 'downshift log {Markup.Escape(result.RunId)}', 'downshift report {Markup.Escape(result.RunId)}'[/]");
        return code;
    }

    public static int CodeOf(RunResult result) => result.Refusal is not null ? ExitCodes.Refused : ExitCodes.For(result.Status);

    private static string HostColor(HostState state) => state switch
    {
        HostState.Changed => "[green]changed    [/]",
        HostState.RolledBack => "[yellow]rolled-back[/]",
        HostState.Untouched => "[grey]untouched  [/]",
        _ => $"[red]{state.ToWire(),-11}[/]",
    };
}
