using System.CommandLine;

namespace Downshift.Cli.Commands;

/// <summary><c>downshift rollback RUN</c>: undo a finished, failed or stopped run, last change first.</summary>
internal static class RollbackCommand
{
    public static Command Create(CliOptions options)
    {
        var run = new Argument<string>("run") { Description = "The run id (see 'downshift runs')." };
        var command = new Command("rollback", $"Undo what a run changed, in reverse order. {ExitCodes.HelpText}") { run };
        command.SetAction(async (parse, cancellationToken) =>
            await RunSession.ExecuteAsync(parse, options, options.Ui(parse), (engine, control) => engine.RollbackAsync(parse.GetValue(run)!, control)));
        return command;
    }
}
