using System.CommandLine;
using System.Text.Json;
using Downshift.Plans;
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

            // Describe() does not depend on the host: the same steps on every host, built once.
            var hosts = loaded.Hosts;
            var each = hosts.Count > 1 ? "each host" : hosts[0];
            var rows = loaded.Steps.Select(step =>
            {
                var executor = step.CreateExecutor();
                return new { host = each, phase = step.Phase, step = step.Id, kind = step.Kind, action = executor.Describe(), undo = step.UndoText(executor), check = step.Check };
            }).ToList();
            var batches = loaded.Strategy.Batches(hosts);
            if (ui.Json)
            {
                ui.Data(JsonSerializer.Serialize(new { plan = loaded.Name, from = loaded.FromVersion, to = loaded.ToVersion, reason = loaded.Reason.Kind.ToString().ToLowerInvariant(), hosts, steps = rows, batches }));
            }

            ui.Line($"[bold]{Markup.Escape(loaded.Name)}[/]: {Markup.Escape(loaded.FromVersion)} → {Markup.Escape(loaded.ToVersion)} " +
                    $"({loaded.Reason.Kind.ToString().ToLowerInvariant()}: {Markup.Escape(loaded.Reason.Detail)})");
            var table = new Table().Border(TableBorder.Simple).AddColumns("host", "phase/step", "does", "undo");
            var strategy = loaded.Strategy;
            if (hosts.Count > 1)
            {
                // The same steps on every host: shown once, then how the fleet rolls.
                ui.Line($"{hosts.Count} hosts; at most {strategy.Concurrency} at once; may fail: {strategy.MaxFailed}; past that: rollback {(strategy.Rollback == FleetRollback.WholeFleet ? "whole-fleet" : "failed-hosts")}");
                for (var i = 0; i < batches.Count; i++)
                {
                    var label = strategy.BatchLabel(i, batches.Count, hosts.Count);
                    var bake = label == "canary" && strategy.Bake > TimeSpan.Zero ? $" (then bake {strategy.Bake.TotalSeconds:0.#}s and check again)" : "";
                    ui.Line($"  {label}{bake}: {Markup.Escape(string.Join(", ", batches[i]))}");
                }
            }

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
}
