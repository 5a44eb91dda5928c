using System.CommandLine;
using System.Text.Json;
using Downshift.Journal;
using Downshift.Plans;
using Downshift.Rehearsals;
using Spectre.Console;

namespace Downshift.Cli.Commands;

/// <summary>
/// <c>downshift rehearse PLAN [--inventory TEST]</c> (issue 5 §5; P8, P9): fingerprint every host, run the
/// plan, roll it back, fingerprint again and compare; the outcome is recorded against the plan's hash,
/// which <c>run --require-rehearsal</c> asks for. Exit 0 passed, 1 failed, or the run's own code when
/// it could not proceed (5 refused, 130 cancelled, 4 needs attention, 7 a host unreachable).
/// </summary>
internal static class RehearseCommand
{
    public static Command Create(CliOptions options)
    {
        var plan = PlanInput.Argument();
        var command = new Command(
            "rehearse",
            "Prove a plan on test hosts: fingerprint, run, roll back, fingerprint again, compare (declared differences are expected). " +
            $"Records the outcome against the plan's hash for 'run --require-rehearsal'. Exit 0 passed; 1 failed; otherwise the run's code. {ExitCodes.HelpText}")
        {
            plan,
            options.Vars,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var ui = options.Ui(parse);
            var loaded = await PlanInput.LoadAsync(parse.GetValue(plan)!, options, parse, ui, cancellationToken);
            if (loaded is null)
            {
                return ExitCodes.InvalidInput;
            }

            return await RunSession.WithEngineAsync(parse, options, ui, async session =>
            {
                var store = session.Journal as IRehearsalStore ?? throw DownshiftException.Internal("the journal keeps no rehearsals");
                var rehearser = new Rehearser(session.Engine, session.Connector, store, session.Observer, TimeProvider.System, session.Options.Operator);
                var result = await rehearser.RehearseAsync(loaded, session.Control);
                return Report(ui, session.Journal, loaded, result);
            });
        });
        return command;
    }

    private static int Report(ConsoleUi ui, IJournal journal, Plan plan, RehearsalResult result)
    {
        var code = RunSession.Report(ui, journal, result.Run, json: false);
        if (result.Rollback is { } rollback)
        {
            code = RunSession.Report(ui, journal, rollback, json: false);
        }

        code = CodeOf(result, code);
        foreach (var host in result.Hosts)
        {
            foreach (var difference in host.Comparison?.Differences ?? [])
            {
                ui.Plain($"{host.Host} {difference}");
            }

            if (host.Problem is { } problem)
            {
                ui.Plain($"{host.Host} rehearsal failed: {problem}");
            }
            else
            {
                ui.Plain($"{host.Host} rehearsal {(host.Restored ? "passed" : "failed")}: {host.Unexpected} unexpected difference{(host.Unexpected == 1 ? "" : "s")} ({host.Expected} expected)");
            }
        }

        if (ui.Json)
        {
            ui.Data(JsonSerializer.Serialize(
                new { plan = plan.Name, rehearsal = result.Compared ? RehearsalJson.Of(result) : null, exitCode = code, journal = journal.Location },
                RehearsalJson.Compact));
        }

        if (!result.Compared)
        {
            ui.Line($"[red bold]NOT REHEARSED[/] plan {Markup.Escape(plan.Name)}: the run could not proceed; nothing was compared or recorded");
        }
        else if (result.Passed)
        {
            ui.Line($"[green bold]REHEARSAL PASSED[/] plan {Markup.Escape(plan.Name)} (sha256 {plan.ContentHash}): recorded; 'downshift run --require-rehearsal' accepts this exact file");
        }
        else
        {
            ui.Line($"[red bold]REHEARSAL FAILED[/] plan {Markup.Escape(plan.Name)} (sha256 {plan.ContentHash}): {Markup.Escape(result.Why ?? "")}; recorded as failed");
        }

        return code;
    }

    /// <summary>0 passed, 1 failed; the run's (or the rollback's) own code when it could not proceed or needs a person.</summary>
    public static int CodeOf(RehearsalResult result, int runCode)
    {
        ArgumentNullException.ThrowIfNull(result);
        var last = result.Rollback ?? result.Run;
        if (!result.Compared || last.Status == RunStatus.NeedsAttention || result.Run.Status == RunStatus.NeedsAttention)
        {
            return runCode == ExitCodes.Success ? ExitCodes.Failed : runCode;
        }

        return result.Passed ? ExitCodes.Success : ExitCodes.Failed;
    }
}
