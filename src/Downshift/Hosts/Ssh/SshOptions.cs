namespace Downshift.Hosts.Ssh;

/// <summary>How the controller reaches hosts over SSH: trust, keys, defaults and limits.</summary>
public sealed record SshOptions
{
    /// <summary>The known_hosts file host keys are pinned in (default <c>~/.ssh/known_hosts</c>).</summary>
    public string KnownHostsPath { get; init; } = SshDefaults.KnownHostsPath;

    /// <summary>Trust on first use: an unknown host's key is appended to <see cref="KnownHostsPath"/>. A changed key is refused regardless.</summary>
    public bool TrustNewHostKeys { get; init; }

    /// <summary>Key file for hosts whose entry names none; null tries <c>~/.ssh/id_ed25519</c>, then <c>~/.ssh/id_rsa</c>.</summary>
    public string? KeyFile { get; init; }

    /// <summary>Passphrase of encrypted key files (from <see cref="SshDefaults.PassphraseVariable"/>).</summary>
    public string? KeyPassphrase { get; init; }

    /// <summary>User for hosts whose entry names none.</summary>
    public string User { get; init; } = SshDefaults.User;

    /// <summary>How many SSH handshakes may be in progress at once.</summary>
    public int ConnectConcurrency { get; init; } = SshDefaults.ConnectConcurrency;

    /// <summary>Bound on one TCP connect + SSH handshake.</summary>
    public TimeSpan ConnectTimeout { get; init; } = SshDefaults.ConnectTimeout;

    /// <summary>Retries of a transient connect failure (refused, reset, timed out); never of a refused login or host key.</summary>
    public int ConnectRetries { get; init; } = SshDefaults.ConnectRetries;

    /// <summary>First delay between connect retries (doubles each time).</summary>
    public TimeSpan ConnectRetryDelay { get; init; } = SshDefaults.ConnectRetryDelay;
}

/// <summary>Named defaults of the SSH transport.</summary>
public static class SshDefaults
{
    public const string User = "root";
    public const int ConnectConcurrency = 10;
    public const int ConnectRetries = 3;
    public const string PassphraseVariable = "DOWNSHIFT_SSH_KEY_PASSPHRASE";
    public const string KnownHostsVariable = "DOWNSHIFT_KNOWN_HOSTS";
    public static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(15);
    public static readonly TimeSpan ConnectRetryDelay = TimeSpan.FromSeconds(1);

    /// <summary>How long after a command's own timeout the controller gives up on hearing back (the remote <c>timeout</c> kills first).</summary>
    public static readonly TimeSpan CommandGrace = TimeSpan.FromSeconds(10);

    /// <summary>Seconds between SIGTERM and SIGKILL for a cancelled or timed-out command's process group.</summary>
    public const int KillAfterSeconds = 2;

    /// <summary>Linux caps one argument at 128 KiB; a script longer than this must move its data to stdin.</summary>
    public const int MaxScriptBytes = 120 * 1024;

    public static string Home => Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);

    public static string KnownHostsPath => Path.Combine(Home, ".ssh", "known_hosts");

    public static IReadOnlyList<string> DefaultKeyFiles => [Path.Combine(Home, ".ssh", "id_ed25519"), Path.Combine(Home, ".ssh", "id_rsa")];
}

/// <summary>A host key that was unknown and is now pinned (TOFU): the engine journals it.</summary>
public sealed record HostKeyTrusted(string Host, string Address, int Port, string KeyType, string Fingerprint, string KnownHostsPath)
{
    public override string ToString() =>
        $"trusted the new {KeyType} host key {Fingerprint} of {Host} ({Address}:{Port}) and added it to {KnownHostsPath}";
}

/// <summary>A transport that may have pinned a new host key while connecting (<c>--trust-new-host-keys</c>).</summary>
public interface IHostKeyTrustReport
{
    /// <summary>The key this transport's connection trusted on first use, or null.</summary>
    HostKeyTrusted? NewlyTrustedKey { get; }
}
