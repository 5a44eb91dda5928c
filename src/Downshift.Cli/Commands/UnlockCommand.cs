using System.CommandLine;
using Downshift.Engine;
using Spectre.Console;

namespace Downshift.Cli.Commands;

/// <summary><c>downshift unlock RUN</c>: clear the host leases a stopped run still holds (after checking the hosts by hand).</summary>
internal static class UnlockCommand
{
    public static Command Create(CliOptions options)
    {
        var run = new Argument<string>("run") { Description = "The run whose leases to clear." };
        var command = new Command("unlock", "Clear the host leases a stopped run still holds. Check the hosts first: the run may have left them half-changed.") { run };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var ui = options.Ui(parse);
            await using var journal = await options.OpenJournalAsync(parse, cancellationToken);
            using var connector = HostConnectors.Create(parse, options, TimeProvider.System);
            var engine = new RunEngine(journal, connector, TimeProvider.System, SilentObserver.Instance, await options.EngineOptionsAsync(parse, cancellationToken));
            var result = await engine.UnlockAsync(parse.GetValue(run)!, cancellationToken);
            ui.Line(Markup.Escape(result.Summary));
            foreach (var item in result.Attention)
            {
                ui.Line($"  [red]not cleared:[/] {Markup.Escape(item)}");
            }

            return result.Attention.Count > 0 ? ExitCodes.HostUnreachable : ExitCodes.Success;
        });
        return command;
    }
}
