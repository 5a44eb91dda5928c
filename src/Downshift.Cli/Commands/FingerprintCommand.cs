using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Downshift.Fingerprints;
using Downshift.Hosts;
using Spectre.Console;

namespace Downshift.Cli.Commands;

/// <summary>
/// <c>downshift fingerprint PLAN | HOST… [--path P]… [--suid-dir D]… [--service S]… [-o FILE|DIR]</c>:
/// take each host's fingerprint (P8, P9, V6) and write it as JSON, with a one-line summary per host.
/// </summary>
internal static class FingerprintCommand
{
    public static Command Create(CliOptions options)
    {
        var targets = new Argument<string[]>("target") { Description = "A plan file (its 'fingerprint:' mapping, on its hosts), or host names: 'local' or names from --inventory.", Arity = ArgumentArity.OneOrMore };
        var paths = new Option<string[]>("--path") { Description = "A config file or directory (walked) to record: SHA-256, mode, owner, group, type, link target (repeatable).", AllowMultipleArgumentsPerToken = false };
        var suidDirs = new Option<string[]>("--suid-dir") { Description = "A directory to search for SUID/SGID files (repeatable).", AllowMultipleArgumentsPerToken = false };
        var services = new Option<string[]>("--service") { Description = "An LSB init script whose status to record (repeatable).", AllowMultipleArgumentsPerToken = false };
        var output = new Option<string?>("--out", "-o") { Description = "Write the fingerprint to FILE.json (one host), or else into the directory DIR as DIR/HOST.json. Default: stdout." };
        var command = new Command("fingerprint", "Record each host's state as JSON: packages, declared paths, services, users, groups, sudoers, ports, SUID files, databases.")
        {
            targets, paths, suidDirs, services, output, options.Vars,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var ui = options.Ui(parse);
            var given = new FingerprintSpec { Paths = parse.GetValue(paths) ?? [], SuidDirectories = parse.GetValue(suidDirs) ?? [], Services = parse.GetValue(services) ?? [] };
            var names = parse.GetValue(targets) ?? [];
            var (hosts, spec) = names.Length == 1 && File.Exists(names[0])
                ? await FromPlanAsync(names[0], given, options, parse, ui, cancellationToken)
                : (await HostArguments.ResolveAsync(names, options, parse, ui, cancellationToken), given);
            if (hosts is null || !Valid(spec, ui) || !OneFileForOneHost(parse.GetValue(output), hosts, ui))
            {
                return ExitCodes.InvalidInput;
            }

            var results = await CollectAsync(hosts, spec, options, parse, ui, cancellationToken);
            var taken = results.Where(r => r.Fingerprint is not null).Select(r => r.Fingerprint!).ToList();
            var files = await WriteAsync(taken, parse.GetValue(output), ui, cancellationToken);
            foreach (var fingerprint in taken)
            {
                var to = files.TryGetValue(fingerprint.Host, out var file) ? $" -> {file}" : "";
                Human(ui, files.Count > 0).WriteLine(
                    $"{fingerprint.Host}: {fingerprint.Summary()}; {fingerprint.Commands} command{(fingerprint.Commands == 1 ? "" : "s")}, " +
                    $"{fingerprint.Seconds.ToString("0.00", CultureInfo.InvariantCulture)} s{to}");
            }

            if (ui.Json && files.Count > 0)
            {
                ui.Data(JsonSerializer.Serialize(taken.Select(f => Summary(f, files[f.Host]))));
            }

            return results.FirstOrDefault(r => r.Error is not null)?.Error is { } error ? ExitCodes.For(error) : ExitCodes.Success;
        });
        return command;
    }

    private sealed record Result(HostEntry Host, HostFingerprint? Fingerprint, DownshiftException? Error);

    private static async Task<(IReadOnlyList<HostEntry>? Hosts, FingerprintSpec Spec)> FromPlanAsync(
        string path, FingerprintSpec given, CliOptions options, ParseResult parse, ConsoleUi ui, CancellationToken cancellationToken)
    {
        var plan = await PlanInput.LoadAsync(path, options, parse, ui, cancellationToken);
        return plan is null ? (null, given) : (plan.HostEntries, (plan.Fingerprint ?? FingerprintSpec.Empty).With(given));
    }

    private static bool Valid(FingerprintSpec spec, ConsoleUi ui)
    {
        var problems = spec.Validate();
        foreach (var problem in problems)
        {
            var option = problem.Key switch { "paths" => "--path", "suid-dirs" => "--suid-dir", "services" => "--service", _ => problem.Key };
            ui.Fail($"{option}: {problem.Message}");
        }

        return problems.Count == 0;
    }

    /// <summary>A <c>-o NAME.json</c> is one file: for one host only.</summary>
    private static bool OneFileForOneHost(string? output, IReadOnlyList<HostEntry> hosts, ConsoleUi ui)
    {
        if (output is not null && IsFile(output) && hosts.Count > 1)
        {
            ui.Fail($"-o {output} is one file, for one host; name a directory for {hosts.Count} hosts (each written as DIR/HOST.json)");
            return false;
        }

        return true;
    }

    private static bool IsFile(string output) => output.EndsWith(".json", StringComparison.OrdinalIgnoreCase);

    /// <summary>Every host at once (SSH handshakes are bounded by the connector); a host that fails is reported and the others go on.</summary>
    private static async Task<IReadOnlyList<Result>> CollectAsync(
        IReadOnlyList<HostEntry> hosts, FingerprintSpec spec, CliOptions options, ParseResult parse, ConsoleUi ui, CancellationToken cancellationToken)
    {
        using var connector = HostConnectors.Create(parse, options, TimeProvider.System);
        var collector = new FingerprintCollector(TimeProvider.System);
        return await Task.WhenAll(hosts.Select(async host =>
        {
            try
            {
                await using var transport = await connector.ConnectAsync(host, cancellationToken);
                return new Result(host, await collector.CollectAsync(transport, spec, cancellationToken), null);
            }
            catch (DownshiftException e)
            {
                ui.Fail($"{host.Name}: {e.Message}");
                return new Result(host, null, e);
            }
        }));
    }

    /// <summary>Writes the fingerprints (FILE, DIR/HOST.json, or stdout without <paramref name="output"/>); returns host → file written.</summary>
    private static async Task<Dictionary<string, string>> WriteAsync(
        IReadOnlyList<HostFingerprint> fingerprints, string? output, ConsoleUi ui, CancellationToken cancellationToken)
    {
        var files = new Dictionary<string, string>(StringComparer.Ordinal);
        if (output is null)
        {
            ui.Data(fingerprints.Count == 1
                ? FingerprintJson.Serialize(fingerprints[0])
                : JsonSerializer.Serialize(fingerprints, FingerprintJson.Options));
            return files;
        }

        var oneFile = IsFile(output);
        foreach (var fingerprint in fingerprints)
        {
            var file = oneFile ? output : Path.Combine(output, $"{fingerprint.Host}.json");
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(file))!);
            var temporary = file + ".downshift-new";
            await File.WriteAllTextAsync(temporary, FingerprintJson.Serialize(fingerprint) + "\n", cancellationToken);
            File.Move(temporary, file, overwrite: true);
            files[fingerprint.Host] = file;
        }

        return files;
    }

    /// <summary>Where the summary lines go: stderr when stdout carries the fingerprints themselves.</summary>
    private static IAnsiConsole Human(ConsoleUi ui, bool wroteFiles) => wroteFiles ? ui.Human : ui.Error;

    private static object Summary(HostFingerprint fingerprint, string file) => new
    {
        host = fingerprint.Host,
        file,
        takenAt = fingerprint.TakenAt,
        commands = fingerprint.Commands,
        seconds = fingerprint.Seconds,
        entries = fingerprint.Sections.ToDictionary(s => s.Key, s => s.Value.Count),
        unavailable = fingerprint.Sections
            .SelectMany(s => s.Value.Unavailable.Select(u => (Key: $"{s.Key}/{u.Key}", u.Value)))
            .ToDictionary(u => u.Key, u => u.Value),
    };
}
