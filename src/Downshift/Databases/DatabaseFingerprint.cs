namespace Downshift.Databases;

/// <summary>One table as a backup's verification and a migration's data checks compare it.</summary>
/// <param name="Name">Qualified name (<c>public.orders</c> for PostgreSQL, <c>orders</c> for SQLite).</param>
/// <param name="Rows">Row count.</param>
/// <param name="Checksum">SHA-256 (hex) over the table's rows in a defined order, so equal data gives an equal checksum.</param>
public sealed record TableFingerprint(string Name, long Rows, string Checksum);

/// <summary>
/// What a database holds, reduced to values that can be compared: the schema's hash and each user
/// table's row count and row checksum. Equal fingerprints mean the restored copy matches its source.
/// </summary>
public sealed record DatabaseFingerprint(string SchemaHash, IReadOnlyList<TableFingerprint> Tables)
{
    /// <summary>Every difference, one line each (empty when equal); <paramref name="other"/> is the copy.</summary>
    public IReadOnlyList<string> DifferencesFrom(DatabaseFingerprint other)
    {
        var differences = new List<string>();
        if (SchemaHash != other.SchemaHash)
        {
            differences.Add($"schema hash {SchemaHash[..Math.Min(12, SchemaHash.Length)]} ≠ {other.SchemaHash[..Math.Min(12, other.SchemaHash.Length)]}");
        }

        var theirs = other.Tables.ToDictionary(t => t.Name, StringComparer.Ordinal);
        foreach (var table in Tables)
        {
            if (!theirs.Remove(table.Name, out var copy))
            {
                differences.Add($"table {table.Name}: missing in the copy");
            }
            else if (copy.Rows != table.Rows)
            {
                differences.Add($"table {table.Name}: {table.Rows} rows ≠ {copy.Rows} in the copy");
            }
            else if (copy.Checksum != table.Checksum)
            {
                differences.Add($"table {table.Name}: row checksum differs ({table.Rows} rows each)");
            }
        }

        differences.AddRange(theirs.Keys.Order(StringComparer.Ordinal).Select(name => $"table {name}: only in the copy"));
        return differences;
    }
}
