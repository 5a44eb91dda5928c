namespace Downshift.Steps.Internal;

/// <summary>
/// A file a package manager leaves beside a conffile it did not overwrite (or did): the one list the
/// package step (reports and undoes them) and the config step (merges them) share.
/// </summary>
internal sealed record Leftover(string Suffix, bool IsPackageDefault, string Meaning)
{
    /// <summary>Package defaults first: the config step takes the first present one as its base.</summary>
    public static readonly IReadOnlyList<Leftover> All =
    [
        new(".dpkg-dist", true, "package's new default, left by dpkg --force-confold"),
        new(".rpmnew", true, "package's new default, left by rpm"),
        new(".dpkg-old", false, "admin's previous file, left by dpkg --force-confnew"),
        new(".rpmsave", false, "admin's previous file, left by rpm"),
        new(".dpkg-new", false, "package's file of an interrupted dpkg unpack"),
        new(".rpmorig", false, "the file rpm found in place (not the package's) at install"),
    ];

    /// <summary>The suffixes as a bash array's words: <c>SUFFIXES=(…)</c>.</summary>
    public static string BashWords => string.Join(' ', All.Select(l => l.Suffix));
}
