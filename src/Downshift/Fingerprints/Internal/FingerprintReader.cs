namespace Downshift.Fingerprints.Internal;

/// <summary>Turns the fingerprint script's parts into a <see cref="HostFingerprint"/> (databases are added by the collector).</summary>
internal static class FingerprintReader
{
    /// <summary>supervisorctl exits 3 when a program is not running: its listing is still whole.</summary>
    private const int SupervisorSomeNotRunning = 3;

    public static HostFingerprint Read(IReadOnlyDictionary<string, ScriptPart> parts, FingerprintSpec spec, string host, DateTimeOffset takenAt) => new()
    {
        Host = host,
        TakenAt = takenAt,
        Declared = new FingerprintDeclarations
        {
            Paths = spec.Paths,
            SuidDirectories = spec.SuidDirectories,
            Services = spec.Services,
            Databases = [.. spec.Databases.Select(FingerprintSpec.Key)],
        },
        Packages = Packages(parts),
        Files = spec.Paths.Count == 0 ? new() : Walked(parts, FingerprintScript.Files, FingerprintScript.FilesSha256, missingIsEntry: true),
        Services = Services(parts, spec),
        Users = Lines<UserEntry>(parts, FingerprintScript.Passwd, AccountLines.AddUsers),
        Groups = Lines<GroupEntry>(parts, FingerprintScript.Group, AccountLines.AddGroups),
        Sudoers = Walked(parts, FingerprintScript.Sudoers, FingerprintScript.SudoersSha256, missingIsEntry: true),
        Ports = Ports(parts),
        Suid = spec.SuidDirectories.Count == 0 ? new() : Walked(parts, FingerprintScript.Suid, FingerprintScript.SuidSha256, missingIsEntry: false),
    };

    private static FingerprintSection<PackageEntry> Packages(IReadOnlyDictionary<string, ScriptPart> parts)
    {
        var section = new SectionBuilder<PackageEntry>();
        if (section.Read(FingerprintScript.Dpkg, parts.GetValueOrDefault(FingerprintScript.Dpkg)))
        {
            PackageLines.AddDpkg(parts[FingerprintScript.Dpkg].Lines, section.Entries);
        }

        if (section.Read(FingerprintScript.Rpm, parts.GetValueOrDefault(FingerprintScript.Rpm)))
        {
            PackageLines.AddRpm(parts[FingerprintScript.Rpm].Lines, section.Entries);
        }

        return section.Build();
    }

    /// <summary>A walk and its hashes; a missing SUID directory is a note (<paramref name="missingIsEntry"/> false), a missing declared path an entry.</summary>
    private static FingerprintSection<FileEntry> Walked(IReadOnlyDictionary<string, ScriptPart> parts, string name, string hashes, bool missingIsEntry)
    {
        var section = new SectionBuilder<FileEntry>();
        if (!section.Read(name, parts.GetValueOrDefault(name)))
        {
            return section.Build();
        }

        var digests = parts.GetValueOrDefault(hashes) is { } hashPart ? FileRecords.Hashes(hashPart.Output) : new Dictionary<string, string>();
        if (parts.GetValueOrDefault(hashes)?.Outcome().Problem is { } problem)
        {
            section.Unavailable(hashes, problem);
        }

        foreach (var (path, entry) in FileRecords.Read(parts[name].Output, digests))
        {
            if (entry.Type == FileRecords.Missing && !missingIsEntry)
            {
                section.Unavailable(path, "not a directory");
            }
            else
            {
                section.Entries[path] = entry;
            }
        }

        return section.Build();
    }

    private static FingerprintSection<ServiceEntry> Services(IReadOnlyDictionary<string, ScriptPart> parts, FingerprintSpec spec)
    {
        var section = new SectionBuilder<ServiceEntry>();
        if (section.Read(FingerprintScript.Supervisor, parts.GetValueOrDefault(FingerprintScript.Supervisor), SupervisorSomeNotRunning))
        {
            var other = ServiceLines.AddSupervisor(parts[FingerprintScript.Supervisor].Lines, section.Entries);
            if (other.Count > 0)
            {
                section.Unavailable(FingerprintScript.Supervisor, string.Join("; ", other.Take(3)));
            }
        }

        if (section.Read(FingerprintScript.Systemd, parts.GetValueOrDefault(FingerprintScript.Systemd)))
        {
            ServiceLines.AddSystemd(parts[FingerprintScript.Systemd].Lines, section.Entries);
        }

        if (spec.Services.Count > 0 && section.Read(FingerprintScript.Lsb, parts.GetValueOrDefault(FingerprintScript.Lsb)))
        {
            ServiceLines.AddLsb(parts[FingerprintScript.Lsb].Lines, section.Entries);
        }

        return section.Build();
    }

    private static FingerprintSection<PortEntry> Ports(IReadOnlyDictionary<string, ScriptPart> parts)
    {
        var section = new SectionBuilder<PortEntry>();
        var part = parts.GetValueOrDefault(FingerprintScript.Ports);
        if (part is null || part.Outcome() is { Read: false })
        {
            section.Read(FingerprintScript.Ports, part);
            return section.Build();
        }

        var source = PortLines.Add(part.Lines, section.Entries);
        section.Read(source, part);
        return section.Build();
    }

    private static FingerprintSection<T> Lines<T>(IReadOnlyDictionary<string, ScriptPart> parts, string name, Action<IEnumerable<string>, IDictionary<string, T>> add)
        where T : IFingerprintEntry
    {
        var section = new SectionBuilder<T>();
        if (section.Read(name, parts.GetValueOrDefault(name)))
        {
            add(parts[name].Lines, section.Entries);
        }

        return section.Build();
    }
}
