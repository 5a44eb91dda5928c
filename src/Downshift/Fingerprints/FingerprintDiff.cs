namespace Downshift.Fingerprints;

/// <summary>
/// One difference between two fingerprints: the section, the key, the entry before and after (only the
/// facets that differ; <see cref="FingerprintDiff.Absent"/> when the key is on one side only) and the
/// declaration that expected it, if one did.
/// </summary>
public sealed record FingerprintDifference(string Section, string Key, string Before, string After, ExpectedDifference? ExpectedBy)
{
    public bool Expected => ExpectedBy is not null;

    /// <summary>The names of the facets that differ (<c>mode</c>, <c>sha256</c>, …); every facet of an entry on one side only or of another kind.</summary>
    public IReadOnlyList<string> ChangedFacets { get; init; } = [];

    /// <summary>One grep-able line: <c>unexpected packages shopd 2.3.0 -> 2.1.0</c>, or <c>expected … (by 'files:/var/log/**': logs grow)</c>.</summary>
    public override string ToString() =>
        $"{(Expected ? "expected" : "unexpected")} {Section} {Key} {Before} -> {After}" +
        (ExpectedBy is { } by ? $" (by '{by.What}': {by.Reason})" : "");
}

/// <summary>What <see cref="FingerprintDiff.Compare"/> found: every difference, and notes on what could not be compared.</summary>
public sealed record FingerprintComparison(
    string BeforeHost,
    string AfterHost,
    IReadOnlyList<FingerprintDifference> Differences,
    IReadOnlyList<string> Notes)
{
    public IReadOnlyList<FingerprintDifference> Unexpected => [.. Differences.Where(d => !d.Expected)];

    public bool HasUnexpected => Differences.Any(d => !d.Expected);
}

/// <summary>
/// Compares two fingerprints entry by entry (P8 drift, P9 rollback proof, V6 permissions). Every
/// difference is listed; one that a declared <see cref="ExpectedDifference"/> matches is marked expected
/// with that declaration, never dropped. A source that could be read on one side only is a difference
/// too (key <c>(SOURCE)</c>); one unreadable (or read only in part) on both sides is a note, not silence.
/// </summary>
public static class FingerprintDiff
{
    /// <summary>How a side without the key shows.</summary>
    public const string Absent = "absent";

    private const string Collected = "collected";

    private const string NotCollected = "not collected";

    private const string Unavailable = "unavailable";

    public static FingerprintComparison Compare(HostFingerprint before, HostFingerprint after, IReadOnlyList<ExpectedDifference> expected)
    {
        ArgumentNullException.ThrowIfNull(before);
        ArgumentNullException.ThrowIfNull(after);
        ArgumentNullException.ThrowIfNull(expected);
        var differences = new List<FingerprintDifference>();
        var notes = new List<string>();
        var sides = after.Sections.ToDictionary(s => s.Key, s => s.Value, StringComparer.Ordinal);
        foreach (var (name, was) in before.Sections)
        {
            var now = sides[name];
            CompareSources(name, was, now, differences, notes);
            var afterItems = now.Items.ToDictionary(i => i.Key, i => i.Value, StringComparer.Ordinal);
            var beforeItems = was.Items.ToDictionary(i => i.Key, i => i.Value, StringComparer.Ordinal);
            foreach (var key in beforeItems.Keys.Union(afterItems.Keys).Order(StringComparer.Ordinal))
            {
                var (b, a, changed) = Show(beforeItems.GetValueOrDefault(key), afterItems.GetValueOrDefault(key));
                if (b is not null)
                {
                    differences.Add(new FingerprintDifference(name, key, b, a!, null) { ChangedFacets = changed });
                }
            }
        }

        differences = [.. differences.Select(d => d with { ExpectedBy = expected.FirstOrDefault(e => e.Matches(d.Section, d.Key)) })];
        notes.AddRange(expected
            .Where(e => !differences.Any(d => d.ExpectedBy == e))
            .Select(e => $"expected difference '{e.What}' ({e.Reason}) matched nothing"));
        NoteDeclarations(before.Declared, after.Declared, notes);
        return new FingerprintComparison(before.Host, after.Host, differences, notes);
    }

    /// <summary>The two sides as shown (only the facets that differ) and those facets' names, or (null, null, []) when the entries are equal.</summary>
    private static (string? Before, string? After, IReadOnlyList<string> Changed) Show(IFingerprintEntry? before, IFingerprintEntry? after)
    {
        if (before is null || after is null)
        {
            return (before is null ? Absent : Join(before.Facets()), after is null ? Absent : Join(after.Facets()), Names(before, after));
        }

        var was = before.Facets().ToDictionary(f => f.Name, StringComparer.Ordinal);
        var now = after.Facets().ToDictionary(f => f.Name, StringComparer.Ordinal);
        if (!was.Keys.ToHashSet(StringComparer.Ordinal).SetEquals(now.Keys))
        {
            // A different kind of entry (a missing path now a directory, a file now a symlink): show both whole.
            return (Join(before.Facets()), Join(after.Facets()), Names(before, after));
        }

        var changed = before.Facets().Select(f => f.Name).Where(name => was[name] != now[name]).ToList();
        return changed.Count == 0 ? (null, null, []) : (Changed(was), Changed(now), changed);

        static IReadOnlyList<string> Names(IFingerprintEntry? one, IFingerprintEntry? other) =>
            [.. (one?.Facets() ?? []).Concat(other?.Facets() ?? []).Select(f => f.Name).Distinct(StringComparer.Ordinal)];

        string Changed(Dictionary<string, Facet> facets) => Join(changed.Select(name => facets[name]));
    }

    private static string Join(IEnumerable<Facet> facets) => string.Join(' ', facets.Select(f => f.Show()));

    /// <summary>A source read on one side and not on the other is a difference; unreadable on both, a note.</summary>
    private static void CompareSources(string section, IFingerprintSection before, IFingerprintSection after, List<FingerprintDifference> differences, List<string> notes)
    {
        var sources = before.Sources.Union(before.Unavailable.Keys).Union(after.Sources).Union(after.Unavailable.Keys).Order(StringComparer.Ordinal);
        foreach (var source in sources)
        {
            var (was, now) = (Status(before, source), Status(after, source));
            if (Kind(was) != Kind(now))
            {
                differences.Add(new FingerprintDifference(section, $"({source})", was, now, null));
            }
            else if (was != Collected)
            {
                notes.Add(was == now
                    ? $"{section} ({source}): not compared, {was} on both sides"
                    : $"{section} ({source}): not compared, {was} -> {now}");
            }
        }

        static string Kind(string status) => status.StartsWith(Unavailable, StringComparison.Ordinal) ? Unavailable : status;
    }

    private static string Status(IFingerprintSection section, string source) =>
        section.Unavailable.TryGetValue(source, out var why) ? $"{Unavailable}: {why}"
        : section.Sources.Contains(source) ? Collected
        : NotCollected;

    private static void NoteDeclarations(FingerprintDeclarations before, FingerprintDeclarations after, List<string> notes)
    {
        Note("paths", before.Paths, after.Paths);
        Note("suid directories", before.SuidDirectories, after.SuidDirectories);
        Note("services", before.Services, after.Services);
        Note("databases", before.Databases, after.Databases);

        void Note(string what, IReadOnlyList<string> was, IReadOnlyList<string> now)
        {
            if (!was.Order(StringComparer.Ordinal).SequenceEqual(now.Order(StringComparer.Ordinal)))
            {
                notes.Add($"the fingerprints declare different {what}: [{string.Join(", ", was)}] vs [{string.Join(", ", now)}]");
            }
        }
    }
}
