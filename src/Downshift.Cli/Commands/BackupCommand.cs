using System.CommandLine;
using System.Text.Json;
using Downshift.Backups;
using Downshift.Databases;
using Downshift.Hosts;
using Downshift.Steps.Backup;
using Spectre.Console;

namespace Downshift.Cli.Commands;

/// <summary>
/// <c>downshift backup PLAN | HOST…</c>: take a backup now and verify it (P5, P6), outside a run: the
/// plan's backup steps on its hosts, or the paths and database given here on the named hosts.
/// </summary>
internal static class BackupCommand
{
    public static Command Create(CliOptions options)
    {
        var targets = new Argument<string[]>("target") { Description = "A plan file (its backup steps, on its hosts), or host names: 'local' or names from --inventory.", Arity = ArgumentArity.OneOrMore };
        var paths = new Option<string[]>("--path") { Description = "An absolute path on the host to back up (repeatable).", AllowMultipleArgumentsPerToken = false };
        var postgres = new Option<string?>("--postgres") { Description = "A PostgreSQL database on the host to back up (its name)." };
        var pg = new PostgresOptions();
        var sqlite = new Option<string?>("--sqlite") { Description = "A SQLite database file on the host to back up." };
        var incremental = new Option<bool>("--incremental") { Description = "Only what changed since the newest verified backup of the same host and source." };
        var source = new Option<string?>("--source") { Description = "What the backup is of, for listing and --incremental (default: the plan step's id, or 'manual')." };
        var command = new Command("backup", "Take a backup now and verify it by a restore to scratch: a plan's backup steps, or --path/--postgres/--sqlite on the named hosts.")
        {
            targets, paths, postgres, sqlite, incremental, source, options.Vars,
        };
        foreach (var option in pg.All)
        {
            command.Options.Add(option);
        }

        command.SetAction(async (parse, cancellationToken) =>
        {
            var ui = options.Ui(parse);
            var given = parse.GetValue(targets) ?? [];
            var jobs = given.Length == 1 && File.Exists(given[0])
                ? await PlanJobsAsync(given[0], options, parse, ui, cancellationToken)
                : await HostJobsAsync(given, Spec(parse), parse.GetValue(source) ?? "manual", options, parse, ui, cancellationToken);
            if (jobs is null)
            {
                return ExitCodes.InvalidInput;
            }

            var store = await options.OpenBackupStoreAsync(parse, cancellationToken);
            using var connector = HostConnectors.Create(parse, options, TimeProvider.System);
            var results = new List<BackupResult>();
            foreach (var job in jobs)
            {
                await using var host = await connector.ConnectAsync(job.Host, cancellationToken);
                var parent = parse.GetValue(incremental)
                    ? await store.LatestVerifiedAsync(job.Host.Name, m => m.Source == job.Source, cancellationToken)
                    : null;
                if (parse.GetValue(incremental) && parent is null)
                {
                    ui.Line($"[yellow]{Markup.Escape(job.Host.Name)}: no verified backup of '{Markup.Escape(job.Source)}' yet: taking a full one[/]");
                }

                ui.Line($"[grey]{Markup.Escape(job.Host.Name)}: backing up {Markup.Escape(job.Source)}…[/]");
                var result = await new BackupJob(store, TimeProvider.System).TakeAsync(host, job.Source, runId: null, job.Spec, parent, cancellationToken);
                results.Add(result);
                var colour = result.Passed ? "green" : "red";
                ui.Line($"[{colour}]{Markup.Escape(job.Host.Name)}: {Markup.Escape(result.Describe())}[/]");
            }

            if (ui.Json)
            {
                ui.Data(JsonSerializer.Serialize(results.Select(BackupJson.Of)));
            }

            ui.Line($"[grey]store: {Markup.Escape(store.Root)}[/]");
            return results.All(r => r.Passed) ? ExitCodes.Success : ExitCodes.Failed;
        });
        return command;

        BackupSpec Spec(ParseResult parse)
        {
            DatabaseTarget? database = null;
            if (parse.GetValue(postgres) is { } name)
            {
                database = pg.Target(parse, name);
            }
            else if (parse.GetValue(sqlite) is { } path)
            {
                database = new DatabaseTarget { Engine = DatabaseTarget.Sqlite, Path = path };
            }

            return new BackupSpec(parse.GetValue(paths) ?? [], database);
        }
    }

    private sealed record Job(HostEntry Host, string Source, BackupSpec Spec);

    private static async Task<IReadOnlyList<Job>?> PlanJobsAsync(
        string path, CliOptions options, ParseResult parse, ConsoleUi ui, CancellationToken cancellationToken)
    {
        var plan = await PlanInput.LoadAsync(path, options, parse, ui, cancellationToken);
        if (plan is null)
        {
            return null;
        }

        var steps = plan.Steps.Where(s => s.Options is BackupOptions).ToList();
        if (steps.Count == 0)
        {
            ui.Fail($"{path} has no backup step");
            return null;
        }

        return [.. from host in plan.HostEntries
                   from step in steps
                   let backup = (BackupOptions)step.Options
                   select new Job(host, step.Id, new BackupSpec(backup.Files, backup.Database))];
    }

    private static async Task<IReadOnlyList<Job>?> HostJobsAsync(
        string[] names, BackupSpec spec, string source, CliOptions options, ParseResult parse, ConsoleUi ui, CancellationToken cancellationToken)
    {
        if (spec.Files.Count == 0 && spec.Database is null)
        {
            ui.Fail("say what to back up: --path PATH (repeatable), --postgres NAME or --sqlite PATH (or name a plan with backup steps)");
            return null;
        }

        if (spec.Files.FirstOrDefault(p => !p.StartsWith('/')) is { } relative)
        {
            ui.Fail($"--path must be absolute on the host, got '{relative}'");
            return null;
        }

        var hosts = await HostArguments.ResolveAsync(names, options, parse, ui, cancellationToken);
        return hosts is null ? null : [.. hosts.Select(h => new Job(h, source, spec))];
    }
}
