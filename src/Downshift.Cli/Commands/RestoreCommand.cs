using System.CommandLine;
using System.Text.Json;
using Downshift.Backups;
using Downshift.Databases;
using Downshift.Engine;
using Downshift.Hosts;
using Spectre.Console;

namespace Downshift.Cli.Commands;

/// <summary>
/// <c>downshift restore BACKUP --to DIR | --to-postgres NAME | --to-sqlite PATH</c>: the files of a
/// backup (the chain up to it) into a directory here, or its database dump into a database on a host.
/// </summary>
internal static class RestoreCommand
{
    public static Command Create(CliOptions options)
    {
        var backup = new Argument<string>("backup") { Description = "The backup's id (see 'downshift backups')." };
        var to = new Option<string?>("--to") { Description = "Restore the backup's files into this directory on this machine (it must be empty or new)." };
        var toPostgres = new Option<string?>("--to-postgres") { Description = "Restore the database dump into this PostgreSQL database (replacing its content)." };
        var toSqlite = new Option<string?>("--to-sqlite") { Description = "Restore the SQLite dump to this file (replacing it)." };
        var on = new Option<string?>("--on") { Description = "The host for --to-postgres / --to-sqlite: 'local' (default) or a name from --inventory." };
        var pg = new PostgresOptions();
        var command = new Command("restore", "Restore a backup: its files into a directory (--to), or its database into a database on a host (--to-postgres, --to-sqlite).")
        {
            backup, to, toPostgres, toSqlite, on,
        };
        foreach (var option in pg.All)
        {
            command.Options.Add(option);
        }

        command.SetAction(async (parse, cancellationToken) =>
        {
            var ui = options.Ui(parse);
            var targets = new[] { parse.GetValue(to), parse.GetValue(toPostgres), parse.GetValue(toSqlite) }.Count(t => t is not null);
            if (targets != 1)
            {
                ui.Fail("say where to restore to: exactly one of --to DIR, --to-postgres NAME, --to-sqlite PATH");
                return ExitCodes.InvalidInput;
            }

            var store = await options.OpenBackupStoreAsync(parse, cancellationToken);
            var id = parse.GetValue(backup)!;
            var chain = await store.ChainAsync(id, cancellationToken);
            var manifest = chain[^1];
            if (parse.GetValue(to) is { } directory)
            {
                if (Directory.Exists(directory) && Directory.EnumerateFileSystemEntries(directory).Any())
                {
                    ui.Fail($"{directory} is not empty: restore into an empty or new directory (nothing was written)");
                    return ExitCodes.InvalidInput;
                }

                await FileRestore.ExtractAsync(store, chain, BackupJob.FilesItem, directory, cancellationToken);
                var files = chain.SelectMany(m => m.Items).Where(i => i.Kind == BackupItem.FilesKind).Sum(i => i.Entries?.Count ?? 0);
                return Done(ui, new { backup = id, to = Path.GetFullPath(directory), chain = chain.Select(m => m.Id) },
                    $"restored the files of {id} ({chain.Count} backup{(chain.Count == 1 ? "" : "s")} in the chain) into {Path.GetFullPath(directory)}");
            }

            var target = parse.GetValue(toPostgres) is { } name
                ? pg.Target(parse, name)
                : new DatabaseTarget { Engine = DatabaseTarget.Sqlite, Path = parse.GetValue(toSqlite) };
            var holder = chain.AsEnumerable().Reverse().FirstOrDefault(m => m.Items.Any(i => i.Kind == target.Engine));
            if (holder is null)
            {
                ui.Fail($"backup {id} (and its chain) holds no {target.Engine} dump");
                return ExitCodes.InvalidInput;
            }

            var hostName = parse.GetValue(on) ?? HostEntry.Local.Name;
            var hostEntry = hostName == HostEntry.Local.Name
                ? HostEntry.Local
                : parse.GetValue(options.Inventory) is { } file
                    && (await Inventory.InventoryLoader.LoadFileAsync(file, cancellationToken)).Inventory?.Hosts.FirstOrDefault(h => h.Name == hostName) is { } found
                    ? found
                    : null;
            if (hostEntry is null)
            {
                ui.Fail($"unknown host '{hostName}': 'local', or a host of --inventory FILE");
                return ExitCodes.InvalidInput;
            }

            using var connector = HostConnectors.Create(parse, options, TimeProvider.System);
            await using var host = await connector.ConnectAsync(hostEntry, cancellationToken);

            // The host's lease, as a run takes it: a restore never writes under a run (or another restore).
            var (lease, refusal) = await CommandLease.AcquireAsync(host, "restore", CliOptions.StateDirectory, TimeProvider.System, cancellationToken);
            if (lease is null)
            {
                ui.Fail($"{refusal} (nothing was restored)");
                return ExitCodes.Refused;
            }

            await using var held = lease;
            var item = holder.Items.First(i => i.Kind == target.Engine);
            var result = await new DatabaseRestorer(store, TimeProvider.System).RestoreAsync(
                chain, item.Name, target, host, $"{manifest.Source}{RetentionRule.BeforeRestoreSuffix}", runId: null, cancellationToken);
            if (!result.Succeeded)
            {
                ui.Fail(result.Detail);
                return ExitCodes.Failed;
            }

            return Done(ui, new { backup = result.RestoredFrom!.Id, to = target.Describe(), host = hostName, kept = result.Kept?.Id }, result.Detail);
        });
        return command;
    }

    private static int Done(ConsoleUi ui, object json, string line)
    {
        if (ui.Json)
        {
            ui.Data(JsonSerializer.Serialize(json));
        }

        ui.Line($"[green]{Markup.Escape(line)}[/]");
        return ExitCodes.Success;
    }
}
