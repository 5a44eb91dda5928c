using System.CommandLine;
using System.Text.Json;
using Downshift.Journal;
using Spectre.Console;

namespace Downshift.Cli.Commands;

/// <summary><c>downshift runs</c>: every run in the journal, newest first.</summary>
internal static class RunsCommand
{
    public static Command Create(CliOptions options)
    {
        var command = new Command("runs", "List the runs in the journal, newest first.");
        command.SetAction(async (parse, cancellationToken) =>
        {
            var ui = options.Ui(parse);
            await using var journal = await options.OpenJournalAsync(parse, cancellationToken);
            var runs = await journal.ListRunsAsync(cancellationToken);
            if (ui.Json)
            {
                ui.Data(JsonSerializer.Serialize(runs.Select(r => new { run = r.RunId, plan = r.PlanName, @operator = r.Operator, started = r.StartedAt, finished = r.FinishedAt, status = r.Status.ToWire() })));
                return ExitCodes.Success;
            }

            var table = new Table().Border(TableBorder.Simple).AddColumns("run", "plan", "operator", "started (UTC)", "status");
            foreach (var r in runs)
            {
                table.AddRow(Markup.Escape(r.RunId), Markup.Escape(r.PlanName), Markup.Escape(r.Operator), $"{r.StartedAt.UtcDateTime:yyyy-MM-dd HH:mm:ss}", r.Status.ToWire());
            }

            ui.Human.Write(table);
            return ExitCodes.Success;
        });
        return command;
    }
}
