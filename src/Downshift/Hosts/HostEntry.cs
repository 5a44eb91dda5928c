namespace Downshift.Hosts;

/// <summary>
/// A host a plan targets, resolved from the plan's inline <c>hosts</c> or an inventory: how to reach it
/// (address, port, user, key) and whether commands run through <c>sudo</c> (become). The name is what the
/// journal, the lease and the output show. <c>local</c> is this machine, reached without SSH.
/// </summary>
public sealed record HostEntry(string Name)
{
    public const int DefaultSshPort = 22;

    /// <summary>Address to connect to; the name when the inventory gives none.</summary>
    public string Address { get; init; } = Name;

    public int Port { get; init; } = DefaultSshPort;

    /// <summary>SSH user; null means the controller's default (root in the test lab).</summary>
    public string? User { get; init; }

    /// <summary>Private key file; null means the controller's default key.</summary>
    public string? KeyFile { get; init; }

    /// <summary>Run commands through <c>sudo -n</c> (a non-root user with sudo rights).</summary>
    public bool Become { get; init; }

    /// <summary>Groups the host belongs to in the inventory, in the order they were read.</summary>
    public IReadOnlyList<string> Groups { get; init; } = [];

    /// <summary>Host and group variables from the inventory (host wins over group).</summary>
    public IReadOnlyDictionary<string, string> Vars { get; init; } = new Dictionary<string, string>();

    public bool IsLocal => Name == Plans.PlanDefaults.LocalHost;

    public static HostEntry Local { get; } = new(Plans.PlanDefaults.LocalHost);
}
