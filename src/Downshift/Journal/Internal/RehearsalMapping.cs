using Microsoft.Data.Sqlite;

namespace Downshift.Journal.Internal;

/// <summary>Maps rehearsal records to and from rows of the <c>rehearsals</c> table.</summary>
internal static class RehearsalMapping
{
    public const string InsertColumns = "plan_hash, plan_name, run_id, passed, operator, time, data";

    public const string Columns = "sequence, " + InsertColumns;

    public static void Bind(SqliteCommand command, RehearsalRecord record, DateTimeOffset storedAt)
    {
        var p = command.Parameters;
        p.AddWithValue("$plan_hash", record.PlanHash);
        p.AddWithValue("$plan_name", record.PlanName);
        p.AddWithValue("$run_id", record.RunId);
        p.AddWithValue("$passed", record.Passed ? 1 : 0);
        p.AddWithValue("$operator", record.Operator);
        p.AddWithValue("$time", RecordMapping.FormatTime(record.Time));
        p.AddWithValue("$data", record.Data);
        p.AddWithValue("$stored_at", RecordMapping.FormatTime(storedAt));
    }

    public static RehearsalRecord Read(SqliteDataReader r) => new()
    {
        Sequence = r.GetInt64(0),
        PlanHash = r.GetString(1),
        PlanName = r.GetString(2),
        RunId = r.GetString(3),
        Passed = r.GetInt64(4) == 1,
        Operator = r.GetString(5),
        Time = RecordMapping.ParseTime(r.GetString(6)),
        Data = r.GetString(7),
    };
}
