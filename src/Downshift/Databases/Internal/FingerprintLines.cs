using System.Text.Json;

namespace Downshift.Databases.Internal;

/// <summary>
/// What the fingerprint programs on a host print, one JSON array a line, in any order:
/// <c>["schema", HASH]</c> once and <c>["table", NAME, ROWS, CHECKSUM]</c> per user table.
/// </summary>
internal static class FingerprintLines
{
    /// <summary>The fingerprint in those lines, tables ordered by name (ordinal); null when a line is not of that form or the schema line is missing.</summary>
    public static DatabaseFingerprint? Parse(string output)
    {
        string? schema = null;
        var tables = new List<TableFingerprint>();
        foreach (var line in output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            JsonElement[]? fields;
            try
            {
                fields = JsonSerializer.Deserialize<JsonElement[]>(line);
            }
            catch (JsonException)
            {
                return null;
            }

            switch (fields)
            {
                case [{ ValueKind: JsonValueKind.String } kind, { ValueKind: JsonValueKind.String } hash] when kind.GetString() == "schema":
                    schema = hash.GetString();
                    break;
                case [{ ValueKind: JsonValueKind.String } kind, { ValueKind: JsonValueKind.String } name, { ValueKind: JsonValueKind.Number } rows, { ValueKind: JsonValueKind.String } checksum]
                    when kind.GetString() == "table":
                    tables.Add(new TableFingerprint(name.GetString()!, rows.GetInt64(), checksum.GetString()!));
                    break;
                default:
                    return null;
            }
        }

        return schema is null ? null : new DatabaseFingerprint(schema, [.. tables.OrderBy(t => t.Name, StringComparer.Ordinal)]);
    }
}
