using System.Globalization;

namespace Downshift.Steps.Migrate.Internal;

/// <summary>A Flyway version (<c>2.3</c>, written <c>2_3</c> in file names), compared part by part as numbers; missing parts are 0.</summary>
internal sealed record SchemaVersion(IReadOnlyList<long> Parts) : IComparable<SchemaVersion>
{
    public static bool TryParse(string text, out SchemaVersion version)
    {
        version = new SchemaVersion([]);
        var parts = new List<long>();
        foreach (var part in text.Split('.', '_'))
        {
            if (part.Length == 0 || !long.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out var number))
            {
                return false;
            }

            parts.Add(number);
        }

        version = new SchemaVersion(parts);
        return true;
    }

    public static SchemaVersion Parse(string text) =>
        TryParse(text, out var version) ? version : throw DownshiftException.InvalidState($"'{text}' is not a schema version");

    public int CompareTo(SchemaVersion? other)
    {
        if (other is null)
        {
            return 1;
        }

        for (var i = 0; i < Math.Max(Parts.Count, other.Parts.Count); i++)
        {
            var compared = (i < Parts.Count ? Parts[i] : 0).CompareTo(i < other.Parts.Count ? other.Parts[i] : 0);
            if (compared != 0)
            {
                return compared;
            }
        }

        return 0;
    }

    public bool Equals(SchemaVersion? other) => other is not null && CompareTo(other) == 0;

    public override int GetHashCode() => string.Join('.', Parts.Reverse().SkipWhile(p => p == 0).Reverse()).GetHashCode(StringComparison.Ordinal);

    public static bool operator <(SchemaVersion left, SchemaVersion right) => left.CompareTo(right) < 0;

    public static bool operator >(SchemaVersion left, SchemaVersion right) => left.CompareTo(right) > 0;

    public static bool operator <=(SchemaVersion left, SchemaVersion right) => left.CompareTo(right) <= 0;

    public static bool operator >=(SchemaVersion left, SchemaVersion right) => left.CompareTo(right) >= 0;

    public override string ToString() => string.Join('.', Parts);
}
