namespace Downshift.Lab.Internal;

/// <summary>The files of one lab under its directory (STATE_ROOT/NAME).</summary>
internal sealed record LabPaths(string Directory)
{
    public static LabPaths For(string stateRoot, string name) => new(Path.Combine(stateRoot, name));

    public string PrivateKey => Path.Combine(Directory, "id_ed25519");

    public string PublicKey => PrivateKey + ".pub";

    public string KnownHosts => Path.Combine(Directory, "known_hosts");

    public string SshConfig => Path.Combine(Directory, "ssh_config");

    public string Inventory => Path.Combine(Directory, "inventory.ini");

    public string RepositoryLog => Path.Combine(Directory, "repo-http.log");

    public string DefaultRepository => Path.Combine(Directory, "repo");

    public string Host(string hostName) => Path.Combine(Directory, hostName);

    public string UnsharePid(string hostName) => Path.Combine(Host(hostName), "unshare.pid");

    public string Seed(string hostName) => Path.Combine(Host(hostName), "seed");

    /// <summary>The hN directories that exist, in host order.</summary>
    public IReadOnlyList<string> ExistingHostNames() =>
        System.IO.Directory.Exists(Directory)
            ? System.IO.Directory.EnumerateDirectories(Directory)
                .Select(Path.GetFileName)
                .OfType<string>()
                .Where(n => LabNames.IndexOf(n) is not null)
                .OrderBy(n => LabNames.IndexOf(n))
                .ToList()
            : [];
}
