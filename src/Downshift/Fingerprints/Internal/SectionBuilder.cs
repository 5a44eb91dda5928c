namespace Downshift.Fingerprints.Internal;

/// <summary>Gathers one section's entries, the sources read and the sources that could not be.</summary>
internal sealed class SectionBuilder<T>
    where T : IFingerprintEntry
{
    public Dictionary<string, T> Entries { get; } = new(StringComparer.Ordinal);

    private readonly List<string> sources = [];
    private readonly Dictionary<string, string> unavailable = new(StringComparer.Ordinal);

    /// <summary>Records how <paramref name="part"/> went under <paramref name="source"/>; true when it was read (maybe in part).</summary>
    public bool Read(string source, ScriptPart? part, params int[] fine)
    {
        if (part is null)
        {
            Unavailable(source, "the fingerprint script did not report it");
            return false;
        }

        var (read, problem) = part.Outcome(fine);
        if (read)
        {
            sources.Add(source);
        }

        if (problem is not null)
        {
            unavailable[source] = problem;
        }

        return read;
    }

    public void Collected(string source) => sources.Add(source);

    public void Unavailable(string source, string reason) => unavailable[source] = reason;

    public FingerprintSection<T> Build() => new() { Entries = Entries, Sources = sources, Unavailable = unavailable };
}
