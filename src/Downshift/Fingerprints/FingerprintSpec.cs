using System.Text.RegularExpressions;
using Downshift.Databases;

namespace Downshift.Fingerprints;

/// <summary>A problem with a <see cref="FingerprintSpec"/>: the key as a plan spells it, and what is wrong.</summary>
public sealed record FingerprintSpecProblem(string Key, string Message);

/// <summary>
/// What a fingerprint covers beyond what every fingerprint holds (packages, supervisor and systemd
/// services, users, groups, sudoers, ports): config paths (files or directories, walked), directories
/// searched for SUID/SGID files, LSB init scripts by name, databases; and the differences expected
/// between two fingerprints (a plan's <c>fingerprint:</c> mapping).
/// </summary>
public sealed partial record FingerprintSpec
{
    public static FingerprintSpec Empty { get; } = new();

    /// <summary>Absolute paths: files, or directories walked with everything below them.</summary>
    public IReadOnlyList<string> Paths { get; init; } = [];

    /// <summary>Absolute directories searched (on their own file system) for SUID and SGID files.</summary>
    public IReadOnlyList<string> SuidDirectories { get; init; } = [];

    /// <summary>LSB init scripts (<c>/etc/init.d/NAME status</c>) whose state is recorded.</summary>
    public IReadOnlyList<string> Services { get; init; } = [];

    public IReadOnlyList<DatabaseTarget> Databases { get; init; } = [];

    /// <summary>Differences allowed between two fingerprints, each with its reason.</summary>
    public IReadOnlyList<ExpectedDifference> ExpectedDifferences { get; init; } = [];

    /// <summary>This spec with <paramref name="more"/>'s declarations added (duplicates dropped).</summary>
    public FingerprintSpec With(FingerprintSpec more)
    {
        ArgumentNullException.ThrowIfNull(more);
        return new FingerprintSpec
        {
            Paths = [.. Paths.Concat(more.Paths).Distinct()],
            SuidDirectories = [.. SuidDirectories.Concat(more.SuidDirectories).Distinct()],
            Services = [.. Services.Concat(more.Services).Distinct()],
            Databases = [.. Databases.Concat(more.Databases).Distinct()],
            ExpectedDifferences = [.. ExpectedDifferences.Concat(more.ExpectedDifferences)],
        };
    }

    /// <summary>This spec without its databases, and without the differences it expects of them (see <see cref="HostFingerprint.WithoutDatabases"/>).</summary>
    public FingerprintSpec WithoutDatabases() => this with
    {
        Databases = [],
        ExpectedDifferences = [.. ExpectedDifferences.Where(e => e.Section != FingerprintSections.Databases)],
    };

    /// <summary>Every problem (empty when the spec can be used), with the key a plan would spell.</summary>
    public IReadOnlyList<FingerprintSpecProblem> Validate()
    {
        var problems = new List<FingerprintSpecProblem>();
        foreach (var path in Paths.Where(p => !p.StartsWith('/')))
        {
            problems.Add(new("paths", $"'{path}' is not an absolute path on the host"));
        }

        foreach (var path in SuidDirectories.Where(p => !p.StartsWith('/')))
        {
            problems.Add(new("suid-dirs", $"'{path}' is not an absolute path on the host"));
        }

        foreach (var name in Services.Where(s => !ServiceName().IsMatch(s)))
        {
            problems.Add(new("services", $"'{name}' is not an init script's name (letters, digits, @ . _ -)"));
        }

        foreach (var label in Databases.GroupBy(Key).Where(g => g.Count() > 1).Select(g => g.Key))
        {
            problems.Add(new("databases", $"'{label}' is declared twice"));
        }

        problems.AddRange(Databases.SelectMany(d => d.Validate()).Select(p => new FingerprintSpecProblem("databases", p)));
        return problems;
    }

    /// <summary>A declared database's key in the <c>databases</c> section: a PostgreSQL database's name, a SQLite file's path.</summary>
    public static string Key(DatabaseTarget database)
    {
        ArgumentNullException.ThrowIfNull(database);
        return (database.Engine == DatabaseTarget.Sqlite ? database.Path : database.Name) ?? database.Describe();
    }

    [GeneratedRegex("^[A-Za-z0-9@._-]+$")]
    private static partial Regex ServiceName();
}
