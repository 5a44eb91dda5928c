using System.Text;
using System.Text.RegularExpressions;

namespace Downshift.Steps.Migrate.Internal;

/// <summary>
/// One Flyway-named script: <c>V2_3__add_coupons.sql</c> (up) or <c>U2_3__add_coupons.sql</c> (undo
/// of 2.3). <see cref="InTransaction"/> is false when a <c>NAME.sql.conf</c> beside it says
/// <c>executeInTransaction=false</c> or the SQL holds a statement PostgreSQL refuses inside a
/// transaction (CREATE/DROP INDEX CONCURRENTLY, VACUUM, ALTER SYSTEM, CREATE/DROP DATABASE).
/// </summary>
internal sealed partial record MigrationScript(
    SchemaVersion Version, bool IsUndo, string Description, string FileName, string Sql, bool InTransaction, int Checksum)
{
    public string Type => IsUndo ? "UNDO_SQL" : "SQL";

    /// <summary>The statements in this script that destroy or overwrite data, one line each (empty when none).</summary>
    public IReadOnlyList<string> DataLoss() =>
        [.. Statements(Sql).Where(statement => DestroysData().IsMatch(statement)).Select(OneLine)];

    /// <summary>Top-level BEGIN / COMMIT / ROLLBACK: the script ends the step's transaction itself, so a failure after it cannot be rolled back.</summary>
    public IReadOnlyList<string> TransactionControl() =>
        [.. Statements(Sql).Where(statement => ControlsTransaction().IsMatch(statement)).Select(OneLine)];

    /// <summary>
    /// The script's statements, comments and dollar-quoted bodies (<c>$$ … $$</c>, <c>$fn$ … $fn$</c>)
    /// removed first, so a function body's <c>BEGIN … END;</c> is not taken for statements.
    /// </summary>
    public static IReadOnlyList<string> Statements(string sql)
    {
        var text = DollarQuoted().Replace(BlockComment().Replace(StripComments(sql), " "), "''");
        return [.. text.Split(';').Select(s => s.Trim()).Where(s => s.Length > 0)];
    }

    private static string OneLine(string statement) => WhiteSpace().Replace(statement, " ") + ";";

    /// <summary>Parses a file name; null for files that are not V/U scripts (R__ repeatables, notes).</summary>
    public static (SchemaVersion Version, bool IsUndo, string Description)? ParseName(string fileName)
    {
        var match = ScriptName().Match(fileName);
        if (!match.Success || !SchemaVersion.TryParse(match.Groups["version"].Value, out var version))
        {
            return null;
        }

        return (version, match.Groups["prefix"].Value == "U", match.Groups["description"].Value.Replace('_', ' '));
    }

    public static MigrationScript Create(string fileName, string sql, string? config)
    {
        var (version, isUndo, description) = ParseName(fileName)
            ?? throw DownshiftException.Internal($"'{fileName}' is not a migration script name");
        var declaredNoTransaction = config is not null && NoTransaction().IsMatch(config);
        var inTransaction = !declaredNoTransaction && !Statements(sql).Any(statement => OutsideTransaction().IsMatch(statement));
        return new MigrationScript(version, isUndo, description, fileName, sql, inTransaction, FlywayChecksum(sql));
    }

    /// <summary>Flyway's checksum: CRC-32 over the script's lines (UTF-8, without line ends, BOM dropped), as a signed int.</summary>
    public static int FlywayChecksum(string sql)
    {
        var crc = Crc32.Initial;
        using var reader = new StringReader(sql.TrimStart('\uFEFF'));
        while (reader.ReadLine() is { } line)
        {
            crc = Crc32.Update(crc, Encoding.UTF8.GetBytes(line));
        }

        return unchecked((int)Crc32.Finish(crc));
    }

    private static string StripComments(string sql) =>
        string.Join('\n', sql.Split('\n').Select(line => line.Split("--")[0]));

    [GeneratedRegex(@"^(?<prefix>[VU])(?<version>[0-9]+([._][0-9]+)*)__(?<description>.+)\.sql$")]
    private static partial Regex ScriptName();

    [GeneratedRegex(@"^\s*executeInTransaction\s*=\s*false\s*$", RegexOptions.Multiline | RegexOptions.IgnoreCase)]
    private static partial Regex NoTransaction();

    [GeneratedRegex(@"\b(CONCURRENTLY|VACUUM|ALTER\s+SYSTEM|CREATE\s+DATABASE|DROP\s+DATABASE)\b", RegexOptions.IgnoreCase)]
    private static partial Regex OutsideTransaction();

    [GeneratedRegex(@"^\s*(DELETE|UPDATE|TRUNCATE)\b|\bDROP\s+(TABLE|COLUMN|SCHEMA)\b|\bDROP\b.*\bCASCADE\b|\bALTER\s+TABLE\b.*\bDROP\b(?!\s+(NOT\s+NULL|DEFAULT|CONSTRAINT|IDENTITY|EXPRESSION))", RegexOptions.IgnoreCase | RegexOptions.Singleline)]
    private static partial Regex DestroysData();

    [GeneratedRegex(@"^\s*(BEGIN|START\s+TRANSACTION|COMMIT|END|ROLLBACK|ABORT)\b(?!\s+(ATOMIC)\b)", RegexOptions.IgnoreCase)]
    private static partial Regex ControlsTransaction();

    [GeneratedRegex(@"\$(?<tag>[A-Za-z_]*)\$.*?\$\k<tag>\$", RegexOptions.Singleline)]
    private static partial Regex DollarQuoted();

    [GeneratedRegex(@"/\*.*?\*/", RegexOptions.Singleline)]
    private static partial Regex BlockComment();

    [GeneratedRegex(@"\s+")]
    private static partial Regex WhiteSpace();
}

/// <summary>CRC-32 (IEEE 802.3, as java.util.zip.CRC32), for Flyway-compatible checksums.</summary>
internal static class Crc32
{
    public const uint Initial = 0xFFFFFFFFu;

    private static readonly uint[] Table = Enumerable.Range(0, 256).Select(n =>
    {
        var c = (uint)n;
        for (var k = 0; k < 8; k++)
        {
            c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
        }

        return c;
    }).ToArray();

    public static uint Update(uint crc, ReadOnlySpan<byte> bytes)
    {
        foreach (var b in bytes)
        {
            crc = Table[(crc ^ b) & 0xFF] ^ (crc >> 8);
        }

        return crc;
    }

    public static uint Finish(uint crc) => crc ^ 0xFFFFFFFFu;
}
