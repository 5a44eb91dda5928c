using System.CommandLine;
using System.Text.Json;
using Downshift.Hosts;
using Spectre.Console;

namespace Downshift.Cli.Commands;

/// <summary><c>downshift inventory [PLAN] [--inventory FILE]</c>: the hosts a plan (or an inventory) resolves to, and how they are reached.</summary>
internal static class InventoryCommand
{
    public static Command Create(CliOptions options)
    {
        var plan = new Argument<string?>("plan") { Description = "A plan: list its hosts as resolved (else every host of --inventory).", Arity = ArgumentArity.ZeroOrOne };
        var command = new Command("inventory", "List the hosts a plan or an inventory resolves to: address, port, user, become, groups.")
        {
            plan,
            options.Vars,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var ui = options.Ui(parse);
            var hosts = await HostsAsync(parse.GetValue(plan), options, parse, ui, cancellationToken);
            if (hosts is null)
            {
                return ExitCodes.InvalidInput;
            }

            var defaultUser = HostConnectors.SshOptionsFrom(parse, options).User;
            if (ui.Json)
            {
                ui.Data(JsonSerializer.Serialize(hosts.Select(h => new
                {
                    name = h.Name,
                    local = h.IsLocal,
                    address = h.Address,
                    port = h.Port,
                    user = h.User ?? defaultUser,
                    key = h.KeyFile,
                    become = h.Become,
                    groups = h.Groups,
                })));
                return ExitCodes.Success;
            }

            foreach (var host in hosts)
            {
                var reach = host.IsLocal ? "this machine" : $"{host.User ?? defaultUser}@{host.Address}:{host.Port}{(host.Become ? " (sudo)" : "")}";
                var groups = host.Groups.Count > 0 ? $"  [grey]groups: {Markup.Escape(string.Join(", ", host.Groups))}[/]" : "";
                ui.Line($"{Markup.Escape(host.Name)}  {Markup.Escape(reach)}{groups}");
            }

            ui.Line($"[grey]{hosts.Count} host{(hosts.Count == 1 ? "" : "s")}[/]");
            return ExitCodes.Success;
        });
        return command;
    }

    private static async Task<IReadOnlyList<HostEntry>?> HostsAsync(
        string? plan, CliOptions options, ParseResult parse, ConsoleUi ui, CancellationToken cancellationToken)
    {
        if (plan is not null)
        {
            return (await PlanInput.LoadAsync(plan, options, parse, ui, cancellationToken))?.HostEntries;
        }

        if (parse.GetValue(options.Inventory) is not { } path)
        {
            ui.Fail("name a plan or an inventory: 'downshift inventory PLAN' or 'downshift inventory --inventory FILE'");
            return null;
        }

        var loaded = await Inventory.InventoryLoader.LoadFileAsync(path, cancellationToken);
        foreach (var error in loaded.Errors)
        {
            ui.Error.WriteLine(error.ToString());
        }

        return loaded.Inventory?.Hosts;
    }
}
