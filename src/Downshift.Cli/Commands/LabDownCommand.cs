using System.CommandLine;

namespace Downshift.Cli.Commands;

/// <summary><c>downshift lab down [--name]</c>: removes every trace of the lab; also after a crash, and twice.</summary>
internal static class LabDownCommand
{
    public static Command Create(CliOptions options, LabCliOptions lab)
    {
        var command = new Command("down", "Take the lab down: kill its hosts, delete its veths, netns, bridge and files (idempotent).");
        command.SetAction(async (parse, cancellationToken) =>
        {
            var ui = options.Ui(parse);
            var name = parse.GetValue(lab.Name)!;
            var started = TimeProvider.System.GetTimestamp();
            await Lab.Lab.DownAsync(name, parse.GetValue(lab.StateRoot)!, cancellationToken);
            ui.Plain($"lab {name}: down in {TimeProvider.System.GetElapsedTime(started).TotalSeconds:0.0} s");
            return ExitCodes.Success;
        });
        return command;
    }
}
