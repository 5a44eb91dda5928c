using System.Globalization;

namespace Downshift.Fingerprints;

/// <summary>
/// One value of an entry as the diff compares and shows it: <c>mode=0644</c>, or bare (a package's
/// version, a file's type) when <see cref="Bare"/>. A <see cref="Digest"/> is shown cut to 12 characters.
/// </summary>
public readonly record struct Facet(string Name, string Value, bool Bare = false, bool Digest = false)
{
    /// <summary>How a difference line shows this facet.</summary>
    public string Show()
    {
        var value = Digest && Value.Length > 12 ? Value[..12] + "…" : Value;
        return Bare ? value : $"{Name}={value}";
    }
}

/// <summary>One keyed entry of a fingerprint section; two entries are equal when their facets are.</summary>
public interface IFingerprintEntry
{
    /// <summary>The entry's values in a fixed order; null values are left out.</summary>
    IEnumerable<Facet> Facets();
}

/// <summary>An installed package: its version, architecture, state (dpkg's two letters such as <c>ii</c> or <c>hi</c>; <c>installed</c> for rpm) and manager.</summary>
public sealed record PackageEntry(string Version, string Architecture, string State, string Manager) : IFingerprintEntry
{
    public IEnumerable<Facet> Facets() =>
        [new("version", Version, Bare: true), new("arch", Architecture), new("state", State), new("manager", Manager)];
}

/// <summary>
/// A path on the host: its type (<c>file</c>, <c>directory</c>, <c>symlink</c>, <c>fifo</c>, <c>socket</c>,
/// <c>char-device</c>, <c>block-device</c>, <c>missing</c>), permission bits as four octal digits, owner and
/// group (names, or numbers without a name), the SHA-256 of a regular file's content (<c>unreadable</c> when it
/// could not be read) and a symlink's target. A missing path has only its type.
/// </summary>
public sealed record FileEntry(string Type, string? Mode, string? Owner, string? Group) : IFingerprintEntry
{
    public string? Sha256 { get; init; }

    public string? Target { get; init; }

    public IEnumerable<Facet> Facets() =>
        Present.Of(
            new Facet("type", Type, Bare: true),
            Mode is null ? null : new Facet("mode", Mode),
            Owner is null ? null : new Facet("owner", Owner),
            Group is null ? null : new Facet("group", Group),
            Sha256 is null ? null : new Facet("sha256", Sha256, Digest: true),
            Target is null ? null : new Facet("target", Target));
}

/// <summary>
/// A service's state: supervisor's state word (<c>RUNNING</c>, <c>STOPPED</c>, …), systemd's
/// <c>ACTIVE/SUB</c> with the unit file's state in <see cref="Enabled"/>, or an LSB init script's status
/// (<c>running</c>, <c>stopped</c>, <c>dead</c>, <c>missing</c>, …).
/// </summary>
public sealed record ServiceEntry(string State) : IFingerprintEntry
{
    public string? Enabled { get; init; }

    public IEnumerable<Facet> Facets() =>
        Present.Of(new Facet("state", State, Bare: true), Enabled is null ? null : new Facet("enabled", Enabled));
}

/// <summary>A user of /etc/passwd.</summary>
public sealed record UserEntry(int Uid, int Gid, string Home, string Shell) : IFingerprintEntry
{
    public IEnumerable<Facet> Facets() =>
    [
        new("uid", Uid.ToString(CultureInfo.InvariantCulture)),
        new("gid", Gid.ToString(CultureInfo.InvariantCulture)),
        new("home", Home),
        new("shell", Shell),
    ];
}

/// <summary>A group of /etc/group with its members (sorted).</summary>
public sealed record GroupEntry(int Gid, IReadOnlyList<string> Members) : IFingerprintEntry
{
    public IEnumerable<Facet> Facets() =>
        [new("gid", Gid.ToString(CultureInfo.InvariantCulture)), new("members", string.Join(',', Members))];
}

/// <summary>A listening socket's processes (names, sorted, comma-separated; <c>unknown</c> when they cannot be told).</summary>
public sealed record PortEntry(string Process) : IFingerprintEntry
{
    public IEnumerable<Facet> Facets() => [new("process", Process, Bare: true)];
}

/// <summary>A database (its <see cref="Schema"/> hash) or one of its tables (<see cref="Rows"/> and <see cref="Checksum"/>).</summary>
public sealed record DatabaseEntry : IFingerprintEntry
{
    public string? Schema { get; init; }

    public long? Rows { get; init; }

    public string? Checksum { get; init; }

    public IEnumerable<Facet> Facets() =>
        Present.Of(
            Schema is null ? null : new Facet("schema", Schema, Digest: true),
            Rows is null ? null : new Facet("rows", Rows.Value.ToString(CultureInfo.InvariantCulture)),
            Checksum is null ? null : new Facet("checksum", Checksum, Digest: true));
}

/// <summary>The facets that are there (null ones left out).</summary>
file static class Present
{
    public static IEnumerable<Facet> Of(params Facet?[] facets) => facets.Where(f => f is not null).Select(f => f!.Value);
}
