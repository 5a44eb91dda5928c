using System.CommandLine;
using System.Text.Json;
using Downshift.Backups;
using Spectre.Console;

namespace Downshift.Cli.Commands;

/// <summary><c>downshift backups</c>: the backups in the store, newest first, with their verification.</summary>
internal static class BackupsCommand
{
    public static Command Create(CliOptions options)
    {
        var host = new Option<string?>("--host") { Description = "Only the backups of this host." };
        var command = new Command("backups", "List the backups in the store, newest first: kind, size, and whether a restore to scratch verified them.") { host };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var ui = options.Ui(parse);
            var store = await options.OpenBackupStoreAsync(parse, cancellationToken);
            var rows = new List<(BackupManifest Manifest, BackupVerification? Verification)>();
            foreach (var manifest in await store.ListAsync(cancellationToken))
            {
                if (parse.GetValue(host) is not { } only || manifest.Host == only)
                {
                    rows.Add((manifest, await store.ReadVerificationAsync(manifest.Id, cancellationToken)));
                }
            }

            if (ui.Json)
            {
                ui.Data(JsonSerializer.Serialize(rows.Select(r => BackupJson.Of(r.Manifest, r.Verification))));
                return ExitCodes.Success;
            }

            var table = new Table().Border(TableBorder.Simple)
                .AddColumns("backup", "host", "source", "kind", "run", "taken (UTC)", "size", "stored", "verified");
            foreach (var (manifest, verification) in rows)
            {
                table.AddRow(
                    Markup.Escape(manifest.Id),
                    Markup.Escape(manifest.Host),
                    Markup.Escape(manifest.Source),
                    manifest.Kind == BackupKind.Full ? "full" : $"incremental of {Markup.Escape(manifest.ParentId ?? "?")}",
                    Markup.Escape(manifest.RunId ?? "-"),
                    $"{manifest.StartedAt.UtcDateTime:yyyy-MM-dd HH:mm:ss}",
                    Sizes.Format(manifest.Items.Sum(i => i.RawSize)),
                    Sizes.Format(manifest.Items.Sum(i => i.StoredSize)) + (manifest.Encrypted ? " (encrypted)" : ""),
                    verification switch
                    {
                        null => "[yellow]not verified[/]",
                        { Passed: true } => $"[green]yes[/] {verification.VerifiedAt.UtcDateTime:HH:mm:ss}",
                        _ => $"[red]FAILED[/]: {Markup.Escape(string.Join("; ", verification.Differences.Take(3)))}",
                    });
            }

            ui.Human.Write(table);
            ui.Line($"[grey]{rows.Count} backup{(rows.Count == 1 ? "" : "s")} in {Markup.Escape(store.Root)}[/]");
            return ExitCodes.Success;
        });
        return command;
    }
}
