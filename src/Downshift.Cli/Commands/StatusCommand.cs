using System.CommandLine;
using System.Text.Json;
using Downshift.Engine;
using Downshift.Journal;
using Spectre.Console;

namespace Downshift.Cli.Commands;

/// <summary><c>downshift status RUN [--json]</c>: where a run stands, step by step, derived from its journal.</summary>
internal static class StatusCommand
{
    public static Command Create(CliOptions options)
    {
        var run = new Argument<string>("run") { Description = "The run id." };
        var command = new Command("status", "Show where a run stands, step by step. Exit code as for the run (0 succeeded, 3 rolled back, 4 needs attention…).") { run };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var ui = options.Ui(parse);
            await using var journal = await options.OpenJournalAsync(parse, cancellationToken);
            var id = parse.GetValue(run)!;
            var header = await RunLookup.FindAsync(journal, id, ui, cancellationToken);
            if (header is null)
            {
                return ExitCodes.InvalidInput;
            }

            var stored = await StoredRun.LoadAsync(journal, id, cancellationToken);
            var replay = stored!.Replay; // the stored plan tells which steps are checks, so old journals read right too
            if (ui.Json)
            {
                ui.Data(JsonSerializer.Serialize(new
                {
                    run = id,
                    plan = header.PlanName,
                    planHash = header.PlanHash,
                    @operator = header.Operator,
                    status = replay.Status.ToWire(),
                    started = replay.StartedAt,
                    finished = replay.FinishedAt,
                    rollbackReason = replay.RollbackReason,
                    steps = replay.Steps.Select(s => new { host = s.Host, index = s.StepIndex, id = s.StepId, phase = s.Phase, state = s.State.ToString(), attempts = s.Attempts, result = s.LastResult }),
                    attention = replay.NeedsAttention().Select(s => $"{s.Host}/{s.StepId}: {s.State}"),
                    hosts = HostSummaries.Of(replay).Select(h => new { host = h.Host, state = h.State.ToWire(), lastStep = h.LastStep }),
                }));
            }
            else
            {
                ui.Line($"run [bold]{Markup.Escape(id)}[/] — {Markup.Escape(header.PlanName)} — [bold]{replay.Status.ToWire()}[/] (operator {Markup.Escape(header.Operator)})");
                if (replay.RollbackReason is { } why)
                {
                    ui.Line($"rolled back because: {Markup.Escape(why)}");
                }

                var table = new Table().Border(TableBorder.Simple).AddColumns("host", "step", "state", "result");
                foreach (var s in replay.Steps)
                {
                    table.AddRow(Markup.Escape(s.Host), Markup.Escape($"{s.Phase}/{s.StepId}"), s.State.ToString(), Markup.Escape(s.LastResult ?? ""));
                }

                ui.Human.Write(table);
                var hosts = HostSummaries.Of(replay);
                if (hosts.Count > 1)
                {
                    ui.Line(string.Join("  ", hosts.Select(h => $"{Markup.Escape(h.Host)}={h.State.ToWire()}")));
                }
            }

            return replay.Status == RunStatus.Running ? ExitCodes.Success : ExitCodes.For(replay.Status);
        });
        return command;
    }
}
