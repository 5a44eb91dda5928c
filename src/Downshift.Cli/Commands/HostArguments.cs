using System.CommandLine;
using Downshift.Hosts;

namespace Downshift.Cli.Commands;

/// <summary>Host names given on the command line: 'local', or hosts of <c>--inventory FILE</c>.</summary>
internal static class HostArguments
{
    /// <summary>The hosts named, in order; null (after saying which name is unknown) when one cannot be resolved.</summary>
    public static async Task<IReadOnlyList<HostEntry>?> ResolveAsync(
        IReadOnlyList<string> names, CliOptions options, ParseResult parse, ConsoleUi ui, CancellationToken cancellationToken)
    {
        var hosts = new List<HostEntry>();
        var inventory = parse.GetValue(options.Inventory) is { } file
            ? (await Inventory.InventoryLoader.LoadFileAsync(file, cancellationToken)).Inventory
            : null;
        foreach (var name in names)
        {
            if (name == HostEntry.Local.Name)
            {
                hosts.Add(HostEntry.Local);
            }
            else if (inventory?.Hosts.FirstOrDefault(h => h.Name == name) is { } entry)
            {
                hosts.Add(entry);
            }
            else
            {
                ui.Fail(inventory is null
                    ? $"unknown host '{name}': name 'local', a plan file, or hosts of --inventory FILE"
                    : $"host '{name}' is not in the inventory");
                return null;
            }
        }

        return hosts;
    }
}
