using System.Globalization;
using Downshift.Databases;

namespace Downshift.Steps.Migrate.Internal;

/// <summary>
/// A Flyway schema-history table, read and appended to. The schema's state is replayed from its rows
/// in <c>installed_rank</c> order: a successful <c>SQL</c> row applies its version, a successful
/// <c>UNDO_SQL</c> row (what Flyway Teams' undo writes, and what this step writes) takes it back.
/// </summary>
internal sealed class SchemaHistory(string table, IReadOnlyList<SchemaHistory.Row> rows)
{
    public sealed record Row(int Rank, SchemaVersion? Version, string Type, string Script, int? Checksum, bool Success);

    public string Table { get; } = table;

    public IReadOnlyList<Row> Rows { get; } = rows;

    /// <summary>
    /// The versions applied now, with the row that applied each. <c>UNDO_*</c> rows and Flyway's
    /// <c>DELETE</c> rows (written by <c>repair</c> for a removed migration) take a version back; a
    /// <c>BASELINE</c> row stands for its own version (the versions below it: <see cref="Baseline"/>).
    /// </summary>
    public IReadOnlyDictionary<SchemaVersion, Row> Applied
    {
        get
        {
            var applied = new Dictionary<SchemaVersion, Row>();
            foreach (var row in Rows.Where(r => r.Success && r.Version is not null).OrderBy(r => r.Rank))
            {
                if (row.Type.StartsWith("UNDO", StringComparison.OrdinalIgnoreCase) || row.Type.Equals("DELETE", StringComparison.OrdinalIgnoreCase))
                {
                    applied.Remove(row.Version!);
                }
                else
                {
                    applied[row.Version!] = row;
                }
            }

            return applied;
        }
    }

    /// <summary>The highest baseline version (<c>BASELINE</c>, <c>SQL_BASELINE</c>): every script at or below it counts as applied.</summary>
    public SchemaVersion? Baseline => Rows
        .Where(r => r.Success && r.Version is not null && r.Type.EndsWith("BASELINE", StringComparison.OrdinalIgnoreCase))
        .Select(r => r.Version!)
        .OrderDescending()
        .FirstOrDefault();

    /// <summary>The applied versions, with every script version at or below the baseline counted as applied.</summary>
    public IReadOnlyCollection<SchemaVersion> AppliedWith(MigrationSet scripts) =>
        Baseline is { } baseline
            ? [.. Applied.Keys.Union(scripts.Scripts.Where(s => !s.IsUndo && s.Version <= baseline).Select(s => s.Version))]
            : [.. Applied.Keys];

    /// <summary>The highest applied version; null when nothing is applied.</summary>
    public SchemaVersion? Current => Applied.Keys.OrderDescending().FirstOrDefault();

    public string CurrentText => Current?.ToString() ?? "(empty)";

    /// <summary>A failed row (Flyway leaves one when a non-transactional script broke): the schema is in between.</summary>
    public Row? Failed => Rows.Where(r => !r.Success).OrderBy(r => r.Rank).LastOrDefault();

    public static async Task<SchemaHistory> ReadAsync(IDatabase database, string table, CancellationToken cancellationToken)
    {
        IReadOnlyList<IReadOnlyList<string?>> rows;
        try
        {
            rows = await database.QueryAsync(
                $"SELECT installed_rank, version, type, script, checksum, CASE WHEN success THEN 1 ELSE 0 END FROM {table} ORDER BY installed_rank",
                cancellationToken);
        }
        catch (DownshiftException e) when (!e.IsTransient)
        {
            throw DownshiftException.InvalidState(
                $"cannot read the schema history {table} of {database.Describe()}: {e.Message} " +
                "(the migrate step needs the Flyway history table to know the schema's version)");
        }

        return new SchemaHistory(table, [.. rows.Select(r => new Row(
            int.Parse(r[0] ?? "0", CultureInfo.InvariantCulture),
            r[1] is { Length: > 0 } v && SchemaVersion.TryParse(v, out var version) ? version : null,
            r[2] ?? "",
            r[3] ?? "",
            r[4] is { Length: > 0 } c ? int.Parse(c, CultureInfo.InvariantCulture) : null,
            r[5] is "1" or "t" or "true"))]);
    }

    /// <summary>The INSERT of <paramref name="script"/>'s history row, to run in the script's own transaction.</summary>
    public string InsertSql(MigrationScript script, string installedBy, string engine)
    {
        var elapsed = engine == DatabaseTarget.PostgreSql
            ? "(extract(epoch from clock_timestamp() - now()) * 1000)::integer" // now() is the transaction's start
            : "0";
        return $"INSERT INTO {Table} (installed_rank, version, description, type, script, checksum, installed_by, execution_time, success) " +
               $"VALUES ((SELECT coalesce(max(installed_rank), 0) + 1 FROM {Table}), {Literal(script.Version.ToString())}, {Literal(script.Description)}, " +
               $"{Literal(script.Type)}, {Literal(script.FileName)}, {script.Checksum.ToString(CultureInfo.InvariantCulture)}, {Literal(installedBy)}, {elapsed}, {Boolean(true, engine)});";
    }

    /// <summary>SQLite before 3.23 has no TRUE/FALSE: 1 and 0 there.</summary>
    public static string Boolean(bool value, string engine) =>
        engine == DatabaseTarget.PostgreSql ? (value ? "true" : "false") : (value ? "1" : "0");

    private static string Literal(string text) => "'" + text.Replace("'", "''", StringComparison.Ordinal) + "'";
}
