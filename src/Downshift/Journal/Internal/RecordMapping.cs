using System.Globalization;
using System.Text.Json;
using Microsoft.Data.Sqlite;

namespace Downshift.Journal.Internal;

/// <summary>Maps records and run headers to and from table rows.</summary>
internal static class RecordMapping
{
    public const string RecordColumns =
        "sequence, run_id, time, operator, event, host, phase, step_index, step_id, command, exit_code, output, duration_ms, result, data";

    public const string InsertRecordColumns =
        "run_id, time, operator, event, host, phase, step_index, step_id, command, exit_code, output, duration_ms, result, data";

    /// <summary>The columns that status needs: no command, output or data (they can be large).</summary>
    public const string LightRecordColumns =
        "sequence, run_id, time, operator, event, host, phase, step_index, step_id, NULL, exit_code, NULL, duration_ms, result, NULL";

    public const string RunColumns =
        "run_id, plan_name, plan_path, plan_hash, plan_text, variables, operator, started_at";

    public static string FormatTime(DateTimeOffset time) => time.ToString("O", CultureInfo.InvariantCulture);

    public static DateTimeOffset ParseTime(string text) =>
        DateTimeOffset.Parse(text, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind);

    public static void BindRecord(SqliteCommand command, JournalRecord record, DateTimeOffset storedAt)
    {
        var p = command.Parameters;
        p.AddWithValue("$run_id", record.RunId);
        p.AddWithValue("$time", FormatTime(record.Time));
        p.AddWithValue("$operator", record.Operator);
        p.AddWithValue("$event", record.Event.ToString());
        p.AddWithValue("$host", (object?)record.Host ?? DBNull.Value);
        p.AddWithValue("$phase", (object?)record.Phase ?? DBNull.Value);
        p.AddWithValue("$step_index", (object?)record.StepIndex ?? DBNull.Value);
        p.AddWithValue("$step_id", (object?)record.StepId ?? DBNull.Value);
        p.AddWithValue("$command", (object?)record.Command ?? DBNull.Value);
        p.AddWithValue("$exit_code", (object?)record.ExitCode ?? DBNull.Value);
        p.AddWithValue("$output", (object?)record.Output ?? DBNull.Value);
        p.AddWithValue("$duration_ms", (object?)record.Duration?.TotalMilliseconds ?? DBNull.Value);
        p.AddWithValue("$result", (object?)record.Result ?? DBNull.Value);
        p.AddWithValue("$data", (object?)record.Data ?? DBNull.Value);
        p.AddWithValue("$stored_at", FormatTime(storedAt));
    }

    public static JournalRecord ReadRecord(SqliteDataReader r)
    {
        var eventName = r.GetString(4);
        if (!Enum.TryParse<JournalEvent>(eventName, ignoreCase: false, out var journalEvent))
        {
            throw new FormatException($"record {r.GetInt64(0)} has an unknown event '{eventName}'");
        }

        return new JournalRecord
        {
            Sequence = r.GetInt64(0),
            RunId = r.GetString(1),
            Time = ParseTime(r.GetString(2)),
            Operator = r.GetString(3),
            Event = journalEvent,
            Host = StringOrNull(r, 5),
            Phase = StringOrNull(r, 6),
            StepIndex = r.IsDBNull(7) ? null : r.GetInt32(7),
            StepId = StringOrNull(r, 8),
            Command = StringOrNull(r, 9),
            ExitCode = r.IsDBNull(10) ? null : r.GetInt32(10),
            Output = StringOrNull(r, 11),
            Duration = r.IsDBNull(12) ? null : TimeSpan.FromMilliseconds(r.GetDouble(12)),
            Result = StringOrNull(r, 13),
            Data = StringOrNull(r, 14),
        };
    }

    public static void BindRun(SqliteCommand command, RunHeader header, DateTimeOffset storedAt)
    {
        var p = command.Parameters;
        p.AddWithValue("$run_id", header.RunId);
        p.AddWithValue("$plan_name", header.PlanName);
        p.AddWithValue("$plan_path", header.PlanPath);
        p.AddWithValue("$plan_hash", header.PlanHash);
        p.AddWithValue("$plan_text", header.PlanText);
        p.AddWithValue("$variables", JsonSerializer.Serialize(header.Variables));
        p.AddWithValue("$operator", header.Operator);
        p.AddWithValue("$started_at", FormatTime(header.StartedAt));
        p.AddWithValue("$stored_at", FormatTime(storedAt));
    }

    public static RunHeader ReadRun(SqliteDataReader r) => new()
    {
        RunId = r.GetString(0),
        PlanName = r.GetString(1),
        PlanPath = r.GetString(2),
        PlanHash = r.GetString(3),
        PlanText = r.GetString(4),
        Variables = JsonSerializer.Deserialize<Dictionary<string, string>>(r.GetString(5)) ?? [],
        Operator = r.GetString(6),
        StartedAt = ParseTime(r.GetString(7)),
    };

    private static string? StringOrNull(SqliteDataReader r, int ordinal) => r.IsDBNull(ordinal) ? null : r.GetString(ordinal);
}
