using System.CommandLine;

namespace Downshift.Cli.Commands;

/// <summary><c>downshift lab status [--name] [--json]</c>: one line per host. Exit 0 when every host is up, 1 otherwise.</summary>
internal static class LabStatusCommand
{
    public static Command Create(CliOptions options, LabCliOptions lab)
    {
        var command = new Command("status", "One line per host: address, up/down, init PID, processes, memory, link. Exit 0 when all are up.");
        command.SetAction(async (parse, cancellationToken) =>
        {
            var ui = options.Ui(parse);
            var instance = await lab.OpenAsync(parse, ui, cancellationToken);
            if (instance is null)
            {
                return ExitCodes.InvalidInput;
            }

            var status = await instance.StatusAsync(cancellationToken);
            if (ui.Json)
            {
                ui.Data(LabCommand.HostsJson(instance, status));
            }
            else
            {
                LabCommand.WriteHosts(ui, status);
                LabCommand.WriteFiles(ui, instance);
            }

            return status.All(s => s.Up) ? ExitCodes.Success : ExitCodes.Failed;
        });
        return command;
    }
}
