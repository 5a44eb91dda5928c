namespace Downshift.Fingerprints.Internal;

/// <summary>Reads the package parts: dpkg-query's and rpm's tab-separated lines.</summary>
internal static class PackageLines
{
    public const string RpmInstalled = "installed";

    /// <summary>
    /// <c>STATUS\tNAME\tVERSION\tARCH</c> from <c>dpkg-query -W</c>; STATUS is dpkg's abbreviation (<c>ii</c>,
    /// <c>rc</c>, <c>hi</c>). Packages dpkg knows but that are not installed (second letter <c>n</c>) are left out.
    /// </summary>
    public static void AddDpkg(IEnumerable<string> lines, IDictionary<string, PackageEntry> entries)
    {
        foreach (var line in lines)
        {
            if (line.Split('\t') is [var status, var name, var version, var arch] && status.Trim() is { Length: >= 2 } state && state[1] != 'n')
            {
                entries[name] = new PackageEntry(version, arch, state, FingerprintScript.Dpkg);
            }
        }
    }

    /// <summary>
    /// <c>NAME\tVERSION\tARCH</c> from <c>rpm -qa</c>; several versions of one name (gpg-pubkey) are one
    /// entry with the versions joined. A name dpkg has too is keyed <c>NAME@rpm</c>.
    /// </summary>
    public static void AddRpm(IEnumerable<string> lines, IDictionary<string, PackageEntry> entries)
    {
        var packages = lines
            .Select(line => line.Split('\t'))
            .Where(fields => fields.Length == 3)
            .GroupBy(fields => fields[0], StringComparer.Ordinal);
        foreach (var package in packages)
        {
            var versions = string.Join(", ", package.Select(f => f[1]).Distinct().Order(StringComparer.Ordinal));
            var arches = string.Join(", ", package.Select(f => f[2]).Distinct().Order(StringComparer.Ordinal));
            var key = entries.ContainsKey(package.Key) ? $"{package.Key}@rpm" : package.Key;
            entries[key] = new PackageEntry(versions, arches, RpmInstalled, FingerprintScript.Rpm);
        }
    }
}
