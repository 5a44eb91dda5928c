using System.CommandLine;

namespace Downshift.Cli.Commands;

/// <summary><c>downshift lab link HOST up|down</c>: cut a host off the network, or reconnect it.</summary>
internal static class LabLinkCommand
{
    public static Command Create(CliOptions options, LabCliOptions lab)
    {
        var host = new Argument<string>("host") { Description = "h1..hN" };
        var state = new Argument<string>("state") { Description = "up or down" };
        state.AcceptOnlyFromAmong("up", "down");
        var command = new Command("link", "Set a host's network link down (cut it off) or up again.") { host, state };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var ui = options.Ui(parse);
            var instance = await lab.OpenAsync(parse, ui, cancellationToken);
            if (instance is null)
            {
                return ExitCodes.InvalidInput;
            }

            var name = parse.GetValue(host)!;
            var up = parse.GetValue(state) == "up";
            await instance.SetLinkAsync(name, up, cancellationToken);
            ui.Plain($"{name} link {(up ? "up" : "down")}");
            return ExitCodes.Success;
        });
        return command;
    }
}
