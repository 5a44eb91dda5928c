using System.CommandLine;

namespace Downshift.Cli.Commands;

/// <summary><c>downshift run PLAN</c>: execute; on failure or Ctrl+C roll back by itself.</summary>
internal static class RunCommand
{
    public static Command Create(CliOptions options)
    {
        var plan = PlanInput.Argument();
        var command = new Command("run", $"Run a plan. On failure the completed steps are undone in reverse order. {ExitCodes.HelpText}")
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

            return await RunSession.ExecuteAsync(parse, options, ui, (engine, control) => engine.RunAsync(loaded, control));
        });
        return command;
    }
}
