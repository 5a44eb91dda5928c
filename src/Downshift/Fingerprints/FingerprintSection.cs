namespace Downshift.Fingerprints;

/// <summary>What the diff reads of any section, whatever its entries.</summary>
public interface IFingerprintSection
{
    /// <summary>The entries by key, in ordinal key order.</summary>
    IEnumerable<KeyValuePair<string, IFingerprintEntry>> Items { get; }

    /// <summary>The sources that were read (<c>dpkg</c>, <c>supervisor</c>, …), sorted.</summary>
    IReadOnlyList<string> Sources { get; }

    /// <summary>Each source that could not be read, or was read only in part, with why.</summary>
    IReadOnlyDictionary<string, string> Unavailable { get; }

    int Count { get; }
}

/// <summary>
/// One section of a <see cref="HostFingerprint"/>: entries by key, the sources read and the sources
/// that could not be read. Keys are kept in ordinal order, so the JSON is the same for the same host state.
/// </summary>
public sealed record FingerprintSection<T> : IFingerprintSection
    where T : IFingerprintEntry
{
    private readonly SortedDictionary<string, T> entries = new(StringComparer.Ordinal);
    private readonly SortedDictionary<string, string> unavailable = new(StringComparer.Ordinal);
    private readonly IReadOnlyList<string> sources = [];

    public IReadOnlyDictionary<string, T> Entries
    {
        get => entries;
        init => entries = new SortedDictionary<string, T>(value.ToDictionary(), StringComparer.Ordinal);
    }

    public IReadOnlyList<string> Sources
    {
        get => sources;
        init => sources = [.. value.Distinct().Order(StringComparer.Ordinal)];
    }

    public IReadOnlyDictionary<string, string> Unavailable
    {
        get => unavailable;
        init => unavailable = new SortedDictionary<string, string>(value.ToDictionary(), StringComparer.Ordinal);
    }

    IEnumerable<KeyValuePair<string, IFingerprintEntry>> IFingerprintSection.Items =>
        entries.Select(e => KeyValuePair.Create(e.Key, (IFingerprintEntry)e.Value));

    int IFingerprintSection.Count => entries.Count;
}
