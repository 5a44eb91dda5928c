using System.Text.Json.Serialization;

namespace Downshift.Fingerprints;

/// <summary>The names of a fingerprint's sections, as JSON, expected differences and the diff spell them.</summary>
public static class FingerprintSections
{
    public const string Packages = "packages";
    public const string Files = "files";
    public const string Services = "services";
    public const string Users = "users";
    public const string Groups = "groups";
    public const string Sudoers = "sudoers";
    public const string Ports = "ports";
    public const string Suid = "suid";
    public const string Databases = "databases";

    /// <summary>Every section, in the order a fingerprint and a diff list them.</summary>
    public static readonly IReadOnlyList<string> All = [Packages, Files, Services, Users, Groups, Sudoers, Ports, Suid, Databases];
}

/// <summary>What a fingerprint was asked to cover beyond what every fingerprint holds.</summary>
public sealed record FingerprintDeclarations
{
    public IReadOnlyList<string> Paths { get; init; } = [];

    public IReadOnlyList<string> SuidDirectories { get; init; } = [];

    public IReadOnlyList<string> Services { get; init; } = [];

    /// <summary>Each database's key in the <c>databases</c> section (a PostgreSQL name, a SQLite path).</summary>
    public IReadOnlyList<string> Databases { get; init; } = [];
}

/// <summary>
/// The state of one host at one moment (P8, P9, V6): packages, declared config paths, services, users,
/// groups, sudoers, listening ports, SUID/SGID files under declared directories and declared databases.
/// Every section keys its entries in ordinal order, so equal states give equal JSON (see <see cref="FingerprintJson"/>).
/// </summary>
public sealed record HostFingerprint
{
    /// <summary>The JSON format this Downshift writes; a newer one is refused when read.</summary>
    public const int CurrentFormat = 1;

    public int Format { get; init; } = CurrentFormat;

    public required string Host { get; init; }

    public required DateTimeOffset TakenAt { get; init; }

    public FingerprintDeclarations Declared { get; init; } = new();

    /// <summary>How many commands the collection ran on the host.</summary>
    public int Commands { get; init; }

    /// <summary>How long the collection took, in seconds.</summary>
    public double Seconds { get; init; }

    public FingerprintSection<PackageEntry> Packages { get; init; } = new();

    public FingerprintSection<FileEntry> Files { get; init; } = new();

    public FingerprintSection<ServiceEntry> Services { get; init; } = new();

    public FingerprintSection<UserEntry> Users { get; init; } = new();

    public FingerprintSection<GroupEntry> Groups { get; init; } = new();

    public FingerprintSection<FileEntry> Sudoers { get; init; } = new();

    public FingerprintSection<PortEntry> Ports { get; init; } = new();

    public FingerprintSection<FileEntry> Suid { get; init; } = new();

    public FingerprintSection<DatabaseEntry> Databases { get; init; } = new();

    /// <summary>Every section with its name, in the order of <see cref="FingerprintSections.All"/>.</summary>
    [JsonIgnore]
    public IReadOnlyList<KeyValuePair<string, IFingerprintSection>> Sections =>
    [
        new(FingerprintSections.Packages, Packages),
        new(FingerprintSections.Files, Files),
        new(FingerprintSections.Services, Services),
        new(FingerprintSections.Users, Users),
        new(FingerprintSections.Groups, Groups),
        new(FingerprintSections.Sudoers, Sudoers),
        new(FingerprintSections.Ports, Ports),
        new(FingerprintSections.Suid, Suid),
        new(FingerprintSections.Databases, Databases),
    ];

    /// <summary>This fingerprint as one taken without its declared databases (as <see cref="FingerprintSpec.WithoutDatabases"/> takes it).</summary>
    public HostFingerprint WithoutDatabases() =>
        this with { Databases = new(), Declared = Declared with { Databases = [] } };

    /// <summary>One line: the entries per section and what could not be read, e.g. <c>packages 223, files 14, … (unavailable: services/systemd)</c>.</summary>
    public string Summary()
    {
        var counts = string.Join(", ", Sections.Select(s => $"{s.Key} {s.Value.Count}"));
        var missing = Sections.SelectMany(s => s.Value.Unavailable.Keys.Select(source => $"{s.Key}/{source}")).ToList();
        return missing.Count == 0 ? counts : $"{counts} (unavailable: {string.Join(", ", missing)})";
    }
}
