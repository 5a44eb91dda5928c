using System.CommandLine;
using Downshift.Cli;
using Downshift.Cli.Commands;

var options = new CliOptions();
var root = new RootCommand(
    "downshift — plan, run, watch and roll back server downgrades, with a journal of every step.\n" + ExitCodes.HelpText);
foreach (var option in options.Globals)
{
    root.Options.Add(option);
}

root.Subcommands.Add(ValidateCommand.Create(options));
root.Subcommands.Add(SchemaCommand.Create(options));
root.Subcommands.Add(DryRunCommand.Create(options));
root.Subcommands.Add(RunCommand.Create(options));
root.Subcommands.Add(RunsCommand.Create(options));
root.Subcommands.Add(StatusCommand.Create(options));
root.Subcommands.Add(LogCommand.Create(options));
root.Subcommands.Add(ResumeCommand.Create(options));
root.Subcommands.Add(RollbackCommand.Create(options));
root.Subcommands.Add(RehearseCommand.Create(options));
root.Subcommands.Add(ReportCommand.Create(options));
root.Subcommands.Add(UnlockCommand.Create(options));
root.Subcommands.Add(InventoryCommand.Create(options));
root.Subcommands.Add(BackupCommand.Create(options));
root.Subcommands.Add(BackupsCommand.Create(options));
root.Subcommands.Add(RestoreCommand.Create(options));
root.Subcommands.Add(FingerprintCommand.Create(options));
root.Subcommands.Add(DiffCommand.Create(options));
root.Subcommands.Add(LabCommand.Create(options));

var parse = root.Parse(args);
if (parse.Errors.Count > 0)
{
    foreach (var error in parse.Errors)
    {
        await Console.Error.WriteLineAsync($"error: {error.Message}");
    }

    await Console.Error.WriteLineAsync("see 'downshift --help'");
    return ExitCodes.InvalidInput;
}

try
{
    return await parse.InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = null, EnableDefaultExceptionHandler = false });
}
catch (Downshift.DownshiftException e)
{
    await Console.Error.WriteLineAsync($"error: {e.Message}");
    return ExitCodes.For(e);
}
catch (Exception e) when (e is not OperationCanceledException)
{
    await Console.Error.WriteLineAsync($"internal error (a bug; please report it): {e}");
    return ExitCodes.Failed;
}
