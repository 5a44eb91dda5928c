using System.CommandLine;
using System.Text.Json;

namespace Downshift.Cli.Commands;

/// <summary><c>downshift validate PLAN</c>: exit 0 when valid, else 2 with every error as PLAN:LINE:COL.</summary>
internal static class ValidateCommand
{
    public static Command Create(CliOptions options)
    {
        var plan = PlanInput.Argument();
        var command = new Command("validate", "Check a plan; print every error as PLAN:LINE:COL: message (at yaml.path).")
        {
            plan,
            options.Vars,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var ui = options.Ui(parse);
            var path = parse.GetValue(plan)!;
            var loaded = await PlanInput.LoadAsync(path, options, parse, ui, cancellationToken);
            if (ui.Json)
            {
                ui.Data(JsonSerializer.Serialize(new { plan = path, valid = loaded is not null, hash = loaded?.ContentHash }));
            }

            if (loaded is null)
            {
                return ExitCodes.InvalidInput;
            }

            ui.Line($"[green]valid[/]: {Spectre.Console.Markup.Escape(path)} — {loaded.Steps.Count()} steps in {loaded.Phases.Count} phases, " +
                    $"{Spectre.Console.Markup.Escape(loaded.FromVersion)} → {Spectre.Console.Markup.Escape(loaded.ToVersion)}");
            return ExitCodes.Success;
        });
        return command;
    }
}
