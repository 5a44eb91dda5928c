using System.CommandLine;
using Downshift.Engine;
using Downshift.Journal;

namespace Downshift.Cli;

/// <summary>The options every command shares, and what they resolve to.</summary>
internal sealed class CliOptions
{
    public const string JournalVariable = "DOWNSHIFT_JOURNAL";

    public const string BackupStoreVariable = "DOWNSHIFT_BACKUP_STORE";

    public const string BackupKeyVariable = "DOWNSHIFT_BACKUP_KEY";

    /// <summary>Test-only: SIGKILL this process right after the K-th journal record it appends.</summary>
    public const string KillAtRecordVariable = "DOWNSHIFT_TEST_KILL_AT_RECORD";

    public Option<string?> Journal { get; } = new("--journal")
    {
        Description = $"Journal file (SQLite). Default: ${JournalVariable}, else /var/lib/downshift/journal.db (root) or ~/.local/state/downshift/journal.db.",
        Recursive = true,
    };

    public Option<string?> Operator { get; } = new("--operator")
    {
        Description = "Who runs this, for the journal (default: $SUDO_USER, else the user).",
        Recursive = true,
    };

    public Option<bool> Json { get; } = new("--json")
    {
        Description = "Write data as JSON to stdout; human text goes to stderr.",
        Recursive = true,
    };

    public Option<string[]> Vars { get; } = new("--var")
    {
        Description = "Set a plan variable: --var name=value (repeatable).",
        AllowMultipleArgumentsPerToken = false,
    };

    public Option<string?> Inventory { get; } = new("--inventory")
    {
        Description = "Ansible inventory (INI or YAML) to resolve the plan's hosts with; replaces the plan's 'inventory:'.",
        Recursive = true,
    };

    public Option<string?> KnownHosts { get; } = new("--known-hosts")
    {
        Description = $"known_hosts file SSH host keys are pinned in. Default: ${Hosts.Ssh.SshDefaults.KnownHostsVariable}, else ~/.ssh/known_hosts.",
        Recursive = true,
    };

    public Option<bool> TrustNewHostKeys { get; } = new("--trust-new-host-keys")
    {
        Description = "Trust an unknown host key on first use and add it to known_hosts (journaled). A changed key is refused regardless.",
        Recursive = true,
    };

    public Option<string?> SshKey { get; } = new("--ssh-key")
    {
        Description = $"Private key for hosts that name none (default ~/.ssh/id_ed25519, then ~/.ssh/id_rsa; passphrase from ${Hosts.Ssh.SshDefaults.PassphraseVariable}).",
        Recursive = true,
    };

    public Option<string?> SshUser { get; } = new("--ssh-user")
    {
        Description = $"SSH user for hosts that name none (default {Hosts.Ssh.SshDefaults.User}).",
        Recursive = true,
    };

    public Option<int> ConnectConcurrency { get; } = new("--connect-concurrency")
    {
        Description = $"How many SSH connections may be opened at once (default {Hosts.Ssh.SshDefaults.ConnectConcurrency}).",
        DefaultValueFactory = _ => Hosts.Ssh.SshDefaults.ConnectConcurrency,
        Recursive = true,
    };

    public Option<string?> BackupStore { get; } = new("--backup-store")
    {
        Description = $"The backup store, a directory on this machine. Default: ${BackupStoreVariable}, else /var/lib/downshift/backups (root) or ~/.local/state/downshift/backups.",
        Recursive = true,
    };

    public Option<string?> BackupKey { get; } = new("--backup-key")
    {
        Description = $"Encrypt new backups (and read encrypted ones) with this key file: 32 bytes, raw, hex or base64. Default: ${BackupKeyVariable}; none = not encrypted.",
        Recursive = true,
    };

    /// <summary>The global options, for the root command.</summary>
    public IEnumerable<Option> Globals => [Journal, Operator, Json, Inventory, KnownHosts, TrustNewHostKeys, SshKey, SshUser, ConnectConcurrency, BackupStore, BackupKey];

    public string BackupStorePath(ParseResult parse) => StatePath(parse, BackupStore, BackupStoreVariable, "backups");

    /// <summary>The backup store the engine and the backup verbs use (the key loaded, when one is given).</summary>
    public async Task<Backups.BackupStore> OpenBackupStoreAsync(ParseResult parse, CancellationToken cancellationToken)
    {
        var keyPath = parse.GetValue(BackupKey) ?? Environment.GetEnvironmentVariable(BackupKeyVariable);
        var key = keyPath is { Length: > 0 } ? await Backups.BackupKey.LoadAsync(keyPath, cancellationToken) : null;
        return new Backups.BackupStore(BackupStorePath(parse), TimeProvider.System, key);
    }

    public ConsoleUi Ui(ParseResult parse) => ConsoleUi.Create(parse.GetValue(Json));

    public string OperatorName(ParseResult parse) =>
        parse.GetValue(Operator)
        ?? Environment.GetEnvironmentVariable("SUDO_USER")
        ?? Environment.UserName;

    public string JournalPath(ParseResult parse) => StatePath(parse, Journal, JournalVariable, "journal.db");

    /// <summary>The option's value, else the environment variable's, else NAME in /var/lib/downshift (root) or ~/.local/state/downshift.</summary>
    private static string StatePath(ParseResult parse, Option<string?> option, string variable, string name)
    {
        if (parse.GetValue(option) is { Length: > 0 } path)
        {
            return path;
        }

        if (Environment.GetEnvironmentVariable(variable) is { Length: > 0 } fromEnv)
        {
            return fromEnv;
        }

        return Environment.UserName == "root"
            ? Path.Combine("/var/lib/downshift", name)
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".local/state/downshift", name);
    }

    public async Task<IJournal> OpenJournalAsync(ParseResult parse, CancellationToken cancellationToken)
    {
        IJournal journal = await SqliteJournal.OpenAsync(JournalPath(parse), TimeProvider.System, cancellationToken);
        return Environment.GetEnvironmentVariable(KillAtRecordVariable) is { } k && int.TryParse(k, out var at)
            ? new KillSwitchJournal(journal, at)
            : journal;
    }

    public async Task<EngineOptions> EngineOptionsAsync(ParseResult parse, CancellationToken cancellationToken) => new()
    {
        Operator = OperatorName(parse),
        Backups = await OpenBackupStoreAsync(parse, cancellationToken),
        StateDirectory = StateDirectory,
    };

    /// <summary>Where runs keep their state and leases on each host: $DOWNSHIFT_STATE_DIR, else the default.</summary>
    public static string StateDirectory =>
        Environment.GetEnvironmentVariable(EngineDefaults.StateDirectoryVariable) is { Length: > 0 } dir ? dir : EngineDefaults.StateDirectory;

    /// <summary>Parses --var name=value pairs; returns null (after reporting) when one is malformed.</summary>
    public Dictionary<string, string>? Variables(ParseResult parse, ConsoleUi ui)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var pair in parse.GetValue(Vars) ?? [])
        {
            var at = pair.IndexOf('=', StringComparison.Ordinal);
            if (at <= 0)
            {
                ui.Fail($"--var '{pair}' must be name=value");
                return null;
            }

            result[pair[..at]] = pair[(at + 1)..];
        }

        return result;
    }
}
