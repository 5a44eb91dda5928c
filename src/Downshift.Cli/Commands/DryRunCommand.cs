using System.CommandLine;
using System.Text.Json;
using Downshift.Plans;
using Downshift.Steps;
using Spectre.Console;

namespace Downshift.Cli.Commands;

/// <summary><c>downshift plan PLAN</c>: the dry run — every phase and step on every host, with its undo. Changes nothing.</summary>
internal static class DryRunCommand
{
    public static Command Create(CliOptions options)
    {
        var plan = PlanInput.Argument();
        var command = new Command("plan", "Dry run: show each phase and step on each host, with the undo that would run. Changes nothing.")
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

            var rows = (from host in loaded.Hosts
                        from step in loaded.Steps
                        let executor = StepKinds.Find(step.Kind)!.CreateExecutor(step.Options)
                        select new { host, phase = step.Phase, step = step.Id, kind = step.Kind, action = executor.Describe(), undo = UndoText(step, executor), check = step.Check }).ToList();
            if (ui.Json)
            {
                ui.Data(JsonSerializer.Serialize(new { plan = loaded.Name, from = loaded.FromVersion, to = loaded.ToVersion, reason = loaded.Reason.Kind.ToString().ToLowerInvariant(), steps = rows }));
            }

            ui.Line($"[bold]{Markup.Escape(loaded.Name)}[/]: {Markup.Escape(loaded.FromVersion)} → {Markup.Escape(loaded.ToVersion)} " +
                    $"({loaded.Reason.Kind.ToString().ToLowerInvariant()}: {Markup.Escape(loaded.Reason.Detail)})");
            var table = new Table().Border(TableBorder.Simple).AddColumns("host", "phase/step", "does", "undo");
            foreach (var row in rows)
            {
                table.AddRow(Markup.Escape(row.host), Markup.Escape($"{row.phase}/{row.step}"), Markup.Escape(row.action), Markup.Escape(row.undo));
            }

            ui.Human.Write(table);
            ui.Line("[grey]dry run: nothing was changed[/]");
            return ExitCodes.Success;
        });
        return command;
    }

    private static string UndoText(PlanStep step, IStepExecutor executor) => step.Undo.Mode switch
    {
        UndoMode.Command => $"run: {step.Undo.Command}",
        UndoMode.None => $"none ({step.Undo.Reason})",
        UndoMode.NotNeeded => "— (a check: nothing to undo)",
        _ => executor.DescribeUndo() ?? "—",
    };
}
