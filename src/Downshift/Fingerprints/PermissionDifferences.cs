namespace Downshift.Fingerprints;

/// <summary>
/// The differences of a comparison that are about permissions (V6): every difference in users, groups,
/// sudoers and SUID/SGID files, and the mode, owner or group of a path present on both sides. A path's
/// content (its SHA-256) or a path that came or went is a change of state, not of permissions.
/// </summary>
public static class PermissionDifferences
{
    private static readonly string[] WholeSections = [FingerprintSections.Users, FingerprintSections.Groups, FingerprintSections.Sudoers, FingerprintSections.Suid];

    private static readonly string[] PermissionFacets = ["mode", "owner", "group"];

    public static IReadOnlyList<FingerprintDifference> Of(FingerprintComparison comparison)
    {
        ArgumentNullException.ThrowIfNull(comparison);
        return [.. comparison.Differences.Where(IsPermission)];
    }

    private static bool IsPermission(FingerprintDifference difference) =>
        WholeSections.Contains(difference.Section, StringComparer.Ordinal)
        || (difference.Section == FingerprintSections.Files
            && difference.Before != FingerprintDiff.Absent
            && difference.After != FingerprintDiff.Absent
            && difference.ChangedFacets.Any(facet => PermissionFacets.Contains(facet, StringComparer.Ordinal)));
}
