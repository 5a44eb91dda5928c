using System.CommandLine;
using System.Text.Json;
using Downshift.Lab;
using Spectre.Console;

namespace Downshift.Cli.Commands;

/// <summary><c>downshift lab up|down|status|exec|link</c>: isolated Debian test hosts on this machine (docs/lab.md).</summary>
internal static class LabCommand
{
    public static Command Create(CliOptions options)
    {
        var lab = new LabCliOptions();
        var command = new Command("lab", "Test hosts on this machine (root): network namespaces, overlay roots, real sshd. See docs/lab.md.")
        {
            lab.Name,
            lab.StateRoot,
        };
        command.Subcommands.Add(LabUpCommand.Create(options, lab));
        command.Subcommands.Add(LabDownCommand.Create(options, lab));
        command.Subcommands.Add(LabStatusCommand.Create(options, lab));
        command.Subcommands.Add(LabExecCommand.Create(options, lab));
        command.Subcommands.Add(LabLinkCommand.Create(options, lab));
        return command;
    }

    /// <summary>One greppable line per host: <c>h1 10.201.7.11 up pid=… procs=… rss=…kB link=up</c>.</summary>
    public static void WriteHosts(ConsoleUi ui, IReadOnlyList<LabHostStatus> hosts)
    {
        foreach (var s in hosts)
        {
            ui.Plain($"{s.Host.Name} {s.Host.Address} {(s.Up ? "up" : "down")} pid={s.InitPid?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "-"} procs={s.Processes} rss={s.RssKilobytes}kB link={(s.LinkUp ? "up" : "down")}");
        }
    }

    public static string HostsJson(LabInstance? instance, IReadOnlyList<LabHostStatus> hosts) => JsonSerializer.Serialize(new
    {
        name = instance?.Name,
        subnet = instance?.Subnet,
        directory = instance?.Directory,
        repositoryUrl = instance?.RepositoryUrl,
        repositoryDirectory = instance?.RepositoryDirectory,
        inventory = instance?.InventoryPath,
        knownHosts = instance?.KnownHostsPath,
        privateKey = instance?.PrivateKeyPath,
        sshConfig = instance?.SshConfigPath,
        hosts = hosts.Select(s => new { name = s.Host.Name, address = s.Host.Address, port = s.Host.Port, up = s.Up, initPid = s.InitPid, processes = s.Processes, rssKb = s.RssKilobytes, link = s.LinkUp ? "up" : "down" }),
    });

    public static void WriteFiles(ConsoleUi ui, LabInstance instance)
    {
        ui.Plain($"inventory: {instance.InventoryPath}");
        ui.Plain($"known_hosts: {instance.KnownHostsPath}");
        ui.Plain($"key: {instance.PrivateKeyPath}");
        ui.Plain($"ssh_config: {instance.SshConfigPath}   (ssh -F {instance.SshConfigPath} h1 hostname)");
        ui.Plain($"repository: {instance.RepositoryUrl} <- {instance.RepositoryDirectory}");
    }
}

/// <summary>The options every <c>lab</c> subcommand shares.</summary>
internal sealed class LabCliOptions
{
    public Option<string> Name { get; } = new("--name")
    {
        Description = "Lab name, [a-z][a-z0-9]{0,4}; names are machine-wide.",
        DefaultValueFactory = _ => LabOptions.DefaultName,
        Recursive = true,
    };

    public Option<string> StateRoot { get; } = new("--state-dir")
    {
        Description = $"Where labs keep their state (${LabOptions.StateRootVariable} overrides the default).",
        DefaultValueFactory = _ => LabOptions.DefaultStateRootFromEnvironment(),
        Recursive = true,
    };

    /// <summary>The named lab, or null after telling the user there is none.</summary>
    public async Task<LabInstance?> OpenAsync(ParseResult parse, ConsoleUi ui, CancellationToken cancellationToken)
    {
        var name = parse.GetValue(Name)!;
        var instance = await Lab.Lab.OpenAsync(name, parse.GetValue(StateRoot)!, cancellationToken);
        if (instance is null)
        {
            ui.Fail($"no lab '{name}' is up (downshift lab up N --name {name})");
        }

        return instance;
    }
}
