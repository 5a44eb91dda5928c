using System.Text.Json;
using Downshift.Journal.Internal;
using Microsoft.Data.Sqlite;

namespace Downshift.Journal;

/// <summary>
/// The journal in one SQLite file: WAL mode so another process (<c>downshift runs</c>, the dashboard)
/// can read while a run writes, <c>synchronous=FULL</c> so each append is on disk when
/// <see cref="AppendAsync"/> returns, and triggers that refuse any UPDATE or DELETE. Every command,
/// output, result and data field passes through <see cref="Redactor"/> first. Thread-safe: appends
/// from several hosts' tasks are serialized.
/// </summary>
public sealed class SqliteJournal : IJournal, IRehearsalStore
{
    /// <summary>How long a writer waits for another process's lock before failing.</summary>
    public static readonly TimeSpan BusyTimeout = TimeSpan.FromSeconds(10);

    private const int SqliteCorrupt = 11;
    private const int SqliteNotADatabase = 26;
    private const int SqliteConstraintForeignKey = 787;
    private const int SqliteConstraintPrimaryKey = 1555;

    private readonly SqliteConnection connection;
    private readonly TimeProvider timeProvider;
    private readonly SemaphoreSlim gate = new(1, 1);
    private readonly Lock pendingGate = new();
    private List<PendingAppend> pending = [];
    private bool draining;
    private bool disposed;

    private SqliteJournal(string location, SqliteConnection connection, TimeProvider timeProvider, Redactor redactor)
    {
        Location = location;
        this.connection = connection;
        this.timeProvider = timeProvider;
        Redactor = redactor;
    }

    public string Location { get; }

    /// <summary>Applied to every record before it is stored; register run-time secrets here.</summary>
    public Redactor Redactor { get; }

    public static Task<SqliteJournal> OpenAsync(string path, TimeProvider timeProvider, CancellationToken cancellationToken) =>
        OpenAsync(path, timeProvider, new Redactor(), cancellationToken);

    /// <summary>Opens (creating if needed) the journal at <paramref name="path"/>.</summary>
    /// <exception cref="DownshiftException">The file is not a journal, is corrupt, or was written by a newer Downshift.</exception>
    public static async Task<SqliteJournal> OpenAsync(
        string path, TimeProvider timeProvider, Redactor redactor, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var fullPath = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(fullPath)!);
        var connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = fullPath,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = false,
            DefaultTimeout = (int)BusyTimeout.TotalSeconds,
        }.ToString();

        var connection = new SqliteConnection(connectionString);
        try
        {
            await connection.OpenAsync(cancellationToken);
            await ExecuteAsync(connection, null, $"PRAGMA busy_timeout = {(int)BusyTimeout.TotalMilliseconds};", cancellationToken);
            var mode = await ScalarAsync(connection, null, "PRAGMA journal_mode = WAL;", cancellationToken);
            if (!"wal".Equals(mode as string, StringComparison.OrdinalIgnoreCase))
            {
                throw DownshiftException.JournalCorrupt(fullPath, $"cannot switch to WAL mode (got '{mode}')");
            }

            await ExecuteAsync(connection, null, "PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON;", cancellationToken);
            await MigrateAsync(connection, fullPath, cancellationToken);
            return new SqliteJournal(fullPath, connection, timeProvider, redactor);
        }
        catch (SqliteException ex)
        {
            await connection.DisposeAsync();
            throw DownshiftException.JournalCorrupt(fullPath, $"not a readable Downshift journal ({ex.Message})", ex);
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    public Task CreateRunAsync(RunHeader header, CancellationToken cancellationToken) =>
        WithConnectionAsync(async () =>
        {
            await using var command = connection.CreateCommand();
            command.CommandText = $"INSERT INTO runs ({RecordMapping.RunColumns}, stored_at) VALUES " +
                "($run_id, $plan_name, $plan_path, $plan_hash, $plan_text, $variables, $operator, $started_at, $stored_at);";
            RecordMapping.BindRun(command, header, timeProvider.GetUtcNow());
            try
            {
                await command.ExecuteNonQueryAsync(cancellationToken);
            }
            catch (SqliteException ex) when (ex.SqliteExtendedErrorCode == SqliteConstraintPrimaryKey)
            {
                throw DownshiftException.InvalidState($"run '{header.RunId}' already exists in the journal");
            }

            return 0;
        }, cancellationToken);

    public Task<JournalRecord> AppendAsync(JournalRecord record, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(record);
        var stored = record with
        {
            Sequence = 0,
            Command = Redactor.Redact(record.Command),
            Output = OutputExcerpt.Cut(Redactor.Redact(record.Output)),
            Result = Redactor.Redact(record.Result),
            Data = Redactor.Redact(record.Data),
        };

        var append = new PendingAppend(stored);
        bool lead;
        lock (pendingGate)
        {
            pending.Add(append);
            lead = !draining;
            draining |= lead;
        }

        return lead ? WriteAsLeaderAsync(append, cancellationToken) : append.Written.Task.WaitAsync(cancellationToken);
    }

    /// <summary>
    /// Group commit: the appender that finds no writer at work becomes it and writes every record that
    /// is waiting, its own among them, in one transaction (one fsync). Records that arrive meanwhile go
    /// to the next writer, on the thread pool, so no appender writes more than the batch its own record
    /// is in. Each caller's task ends only when its own record is on disk, so the write-ahead promise is
    /// the same as one append at a time; twenty hosts appending at once pay for a few fsyncs instead of
    /// twenty. Writes never take a caller's token: one caller's Ctrl+C must not fail another's record;
    /// the token only ends the caller's own wait.
    /// </summary>
    private async Task<JournalRecord> WriteAsLeaderAsync(PendingAppend own, CancellationToken cancellationToken)
    {
        await WriteWaitingAsync();
        return await own.Written.Task.WaitAsync(cancellationToken);
    }

    private async Task WriteWaitingAsync()
    {
        List<PendingAppend> batch;
        lock (pendingGate)
        {
            batch = pending;
            pending = [];
        }

        await WriteBatchAsync(batch, CancellationToken.None);
        bool more;
        lock (pendingGate)
        {
            more = pending.Count > 0;
            draining = more;
        }

        if (more)
        {
            _ = Task.Run(WriteWaitingAsync, CancellationToken.None);
        }
    }

    private async Task WriteBatchAsync(List<PendingAppend> batch, CancellationToken cancellationToken)
    {
        try
        {
            var sequences = await InsertAsync(batch, cancellationToken);
            for (var i = 0; i < batch.Count; i++)
            {
                batch[i].Written.TrySetResult(batch[i].Record with { Sequence = sequences[i] });
            }
        }
        catch (Exception) when (batch.Count > 1)
        {
            // One bad record (an unknown run) must not fail the others: write them one by one.
            foreach (var one in batch)
            {
                await WriteBatchAsync([one], cancellationToken);
            }
        }
        catch (Exception ex)
        {
            batch[0].Written.TrySetException(ex);
        }
    }

    private Task<long[]> InsertAsync(List<PendingAppend> batch, CancellationToken cancellationToken) =>
        WithConnectionAsync(async () =>
        {
            // BEGIN IMMEDIATE takes the write lock up front, so two processes queue on busy_timeout
            // instead of failing on a lock upgrade.
            await using var transaction = connection.BeginTransaction(deferred: false);
            var sequences = new long[batch.Count];
            for (var i = 0; i < batch.Count; i++)
            {
                await using var command = connection.CreateCommand();
                command.Transaction = transaction;
                command.CommandText = $"INSERT INTO records ({RecordMapping.InsertRecordColumns}, stored_at) VALUES " +
                    "($run_id, $time, $operator, $event, $host, $phase, $step_index, $step_id, $command, $exit_code, " +
                    "$output, $duration_ms, $result, $data, $stored_at) RETURNING sequence;";
                RecordMapping.BindRecord(command, batch[i].Record, timeProvider.GetUtcNow());
                try
                {
                    sequences[i] = (long)(await command.ExecuteScalarAsync(CancellationToken.None))!;
                }
                catch (SqliteException ex) when (ex.SqliteExtendedErrorCode == SqliteConstraintForeignKey)
                {
                    throw DownshiftException.RunNotFound(batch[i].Record.RunId);
                }
            }

            await transaction.CommitAsync(CancellationToken.None);
            return sequences;
        }, cancellationToken);

    private sealed class PendingAppend(JournalRecord record)
    {
        public JournalRecord Record { get; } = record;

        public TaskCompletionSource<JournalRecord> Written { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    public Task<RunHeader?> FindRunAsync(string runId, CancellationToken cancellationToken) =>
        WithConnectionAsync(async () =>
        {
            await using var command = connection.CreateCommand();
            command.CommandText = $"SELECT {RecordMapping.RunColumns} FROM runs WHERE run_id = $run_id;";
            command.Parameters.AddWithValue("$run_id", runId);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            return await reader.ReadAsync(cancellationToken) ? RecordMapping.ReadRun(reader) : null;
        }, cancellationToken);

    public Task<IReadOnlyList<JournalRecord>> ReadAsync(string runId, CancellationToken cancellationToken) =>
        WithConnectionAsync(async () =>
        {
            await using var command = connection.CreateCommand();
            command.CommandText = $"SELECT {RecordMapping.RecordColumns} FROM records WHERE run_id = $run_id ORDER BY sequence;";
            command.Parameters.AddWithValue("$run_id", runId);
            return (IReadOnlyList<JournalRecord>)await ReadRecordsAsync(command, cancellationToken);
        }, cancellationToken);

    /// <summary>
    /// Every run with its status, in one query: a run's status is its last RunFinished, unless a record
    /// other than a note or a lease release follows it (then it runs again) — the rule of
    /// <see cref="RunReplay"/>, here without reading every record of every run.
    /// </summary>
    public Task<IReadOnlyList<RunSummary>> ListRunsAsync(CancellationToken cancellationToken) =>
        WithConnectionAsync(async () =>
        {
            var keeps = string.Join(", ", RunReplay.KeepsRunFinished.Select(e => $"'{e}'"));
            await using var command = connection.CreateCommand();
            command.CommandText = $"""
                SELECT r.run_id, r.plan_name, r.operator, r.started_at, f.result, f.time,
                       EXISTS (SELECT 1 FROM records o WHERE o.run_id = r.run_id AND o.sequence > f.sequence
                               AND o.event NOT IN ({keeps})) AS reopened
                FROM runs r
                LEFT JOIN records f ON f.sequence =
                    (SELECT MAX(sequence) FROM records WHERE run_id = r.run_id AND event = '{JournalEvent.RunFinished}');
                """;
            var runs = new List<RunSummary>();
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                var finished = !reader.IsDBNull(5) && reader.GetInt64(6) == 0;
                runs.Add(new RunSummary(
                    reader.GetString(0),
                    reader.GetString(1),
                    reader.GetString(2),
                    RecordMapping.ParseTime(reader.GetString(3)),
                    finished ? RecordMapping.ParseTime(reader.GetString(5)) : null,
                    finished ? RunReplay.ParseStatus(reader.IsDBNull(4) ? null : reader.GetString(4)) : RunStatus.Running));
            }

            return (IReadOnlyList<RunSummary>)[.. runs.OrderByDescending(s => s.StartedAt).ThenByDescending(s => s.RunId, StringComparer.Ordinal)];
        }, cancellationToken);

    public Task<RehearsalRecord> AppendRehearsalAsync(RehearsalRecord record, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(record);
        var stored = record with { Data = Redactor.Redact(record.Data) ?? "" };
        return WithConnectionAsync(async () =>
        {
            await using var command = connection.CreateCommand();
            command.CommandText = $"INSERT INTO rehearsals ({RehearsalMapping.InsertColumns}, stored_at) VALUES " +
                "($plan_hash, $plan_name, $run_id, $passed, $operator, $time, $data, $stored_at) RETURNING sequence;";
            RehearsalMapping.Bind(command, stored, timeProvider.GetUtcNow());
            try
            {
                return stored with { Sequence = (long)(await command.ExecuteScalarAsync(CancellationToken.None))! };
            }
            catch (SqliteException ex) when (ex.SqliteExtendedErrorCode == SqliteConstraintForeignKey)
            {
                throw DownshiftException.RunNotFound(record.RunId);
            }
        }, cancellationToken);
    }

    public Task<IReadOnlyList<RehearsalRecord>> ListRehearsalsAsync(string planHash, CancellationToken cancellationToken) =>
        WithConnectionAsync(async () =>
        {
            await using var command = connection.CreateCommand();
            command.CommandText = $"SELECT {RehearsalMapping.Columns} FROM rehearsals WHERE plan_hash = $plan_hash ORDER BY sequence;";
            command.Parameters.AddWithValue("$plan_hash", planHash);
            return (IReadOnlyList<RehearsalRecord>)await ReadAllAsync(command, RehearsalMapping.Read, cancellationToken);
        }, cancellationToken);

    public async ValueTask DisposeAsync()
    {
        await gate.WaitAsync();
        try
        {
            if (disposed)
            {
                return;
            }

            disposed = true;
            await connection.DisposeAsync();
        }
        finally
        {
            gate.Release();
        }
    }

    private async Task<T> WithConnectionAsync<T>(Func<Task<T>> action, CancellationToken cancellationToken)
    {
        await gate.WaitAsync(cancellationToken);
        try
        {
            ObjectDisposedException.ThrowIf(disposed, this);
            return await action();
        }
        catch (SqliteException ex) when (ex.SqliteErrorCode is SqliteCorrupt or SqliteNotADatabase)
        {
            throw DownshiftException.JournalCorrupt(Location, ex.Message, ex);
        }
        catch (Exception ex) when (ex is FormatException or JsonException)
        {
            throw DownshiftException.JournalCorrupt(Location, $"a stored value cannot be read: {ex.Message}", ex);
        }
        finally
        {
            gate.Release();
        }
    }

    private static Task<List<JournalRecord>> ReadRecordsAsync(SqliteCommand command, CancellationToken cancellationToken) =>
        ReadAllAsync(command, RecordMapping.ReadRecord, cancellationToken);

    private static async Task<List<T>> ReadAllAsync<T>(SqliteCommand command, Func<SqliteDataReader, T> read, CancellationToken cancellationToken)
    {
        var result = new List<T>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            result.Add(read(reader));
        }

        return result;
    }

    private static async Task MigrateAsync(SqliteConnection connection, string path, CancellationToken cancellationToken)
    {
        // Immediate: two processes opening a new file at once must not both create the schema.
        await using var transaction = connection.BeginTransaction(deferred: false);
        var version = Convert.ToInt32(await ScalarAsync(connection, transaction, "PRAGMA user_version;", cancellationToken),
            System.Globalization.CultureInfo.InvariantCulture);
        if (version > JournalSchema.CurrentVersion)
        {
            throw DownshiftException.JournalCorrupt(path,
                $"it was written by a newer Downshift (schema version {version}; this version reads up to " +
                $"{JournalSchema.CurrentVersion}); upgrade Downshift to read it");
        }

        if (version == 0)
        {
            var tables = Convert.ToInt32(await ScalarAsync(connection, transaction,
                "SELECT count(*) FROM sqlite_master WHERE type = 'table';", cancellationToken),
                System.Globalization.CultureInfo.InvariantCulture);
            if (tables > 0)
            {
                throw DownshiftException.JournalCorrupt(path, "it is an SQLite database but not a Downshift journal");
            }
        }

        for (var v = version; v < JournalSchema.CurrentVersion; v++)
        {
            await ExecuteAsync(connection, transaction, JournalSchema.Migrations[v], cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
    }

    private static async Task ExecuteAsync(SqliteConnection connection, SqliteTransaction? transaction, string sql, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static async Task<object?> ScalarAsync(SqliteConnection connection, SqliteTransaction? transaction, string sql, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        return await command.ExecuteScalarAsync(cancellationToken);
    }
}
