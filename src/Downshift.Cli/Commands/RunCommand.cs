using System.CommandLine;
using System.Text.Json;
using Downshift.Journal;
using Downshift.Plans;
using Downshift.Rehearsals;

namespace Downshift.Cli.Commands;

/// <summary><c>downshift run PLAN [--require-rehearsal]</c>: execute; on failure or Ctrl+C roll back by itself.</summary>
internal static class RunCommand
{
    public static Command Create(CliOptions options)
    {
        var plan = PlanInput.Argument();
        var requireRehearsal = new Option<bool>("--require-rehearsal")
        {
            Description = "Refuse (exit 5) unless 'downshift rehearse' of this exact plan text passed (the plan's 'require-rehearsal: true' asks the same).",
        };
        var command = new Command("run", $"Run a plan. On failure the completed steps are undone in reverse order. {ExitCodes.HelpText}")
        {
            plan,
            requireRehearsal,
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

            if (await RehearsalRefusalAsync(loaded, parse.GetValue(requireRehearsal), options, parse, cancellationToken) is { } refusal)
            {
                if (ui.Json)
                {
                    ui.Data(JsonSerializer.Serialize(new { run = (string?)null, status = "refused", exitCode = ExitCodes.Refused, summary = refusal }));
                }

                ui.Fail($"refused: {refusal}");
                return ExitCodes.Refused;
            }

            return await RunSession.ExecuteAsync(parse, options, ui, (engine, control) => engine.RunAsync(loaded, control));
        });
        return command;
    }

    /// <summary>Why the plan may not run for want of a passing rehearsal; null when none is required or one passed.</summary>
    private static async Task<string?> RehearsalRefusalAsync(
        Plan plan, bool requiredByCommand, CliOptions options, ParseResult parse, CancellationToken cancellationToken)
    {
        if (!requiredByCommand && !plan.RequireRehearsal)
        {
            return null;
        }

        await using var journal = await options.OpenJournalAsync(parse, cancellationToken);
        var store = journal as IRehearsalStore ?? throw DownshiftException.Internal("the journal keeps no rehearsals");
        return await RehearsalGate.RefusalAsync(plan, requiredByCommand, store, cancellationToken);
    }
}
