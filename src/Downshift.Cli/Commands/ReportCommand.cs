using System.CommandLine;
using Downshift.Engine;
using Downshift.Plans;
using Downshift.Reports;
using Spectre.Console;

namespace Downshift.Cli.Commands;

/// <summary><c>downshift report RUN [--out FILE]</c>: the Markdown report of a run (V8).</summary>
internal static class ReportCommand
{
    public static Command Create(CliOptions options)
    {
        var run = new Argument<string>("run") { Description = "The run id." };
        var output = new Option<string?>("--out", "-o") { Description = "Write the report to this file instead of stdout." };
        var command = new Command("report", "Write a run's report in Markdown: reason, scope, versions, timeline, every step, undos, final state, operation log.") { run, output };
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

            var stored = (await StoredRun.LoadAsync(journal, id, cancellationToken))!;
            var markdown = MarkdownReport.Render(header, stored.Records, facts: stored.Plan is { } plan ? Facts(plan) : null);
            if (parse.GetValue(output) is { } file)
            {
                await File.WriteAllTextAsync(file, markdown, cancellationToken);
                ui.Error.WriteLine($"report written to {file}");
            }
            else
            {
                ui.Data(markdown);
            }

            return ExitCodes.Success;
        });
        return command;
    }

    /// <summary>The report's facts from the stored plan as the loader read it (variables expanded, inventory hosts resolved).</summary>
    private static PlanFacts Facts(Plan plan) => new(
        plan.Reason.Kind.ToString().ToLowerInvariant(),
        plan.Reason.Detail,
        plan.Scope.Kind.ToString().ToLowerInvariant(),
        plan.Scope.Items,
        plan.FromVersion,
        plan.ToVersion,
        plan.Hosts);
}
