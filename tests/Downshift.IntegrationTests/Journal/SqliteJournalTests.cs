using Downshift.Journal;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Time.Testing;

namespace Downshift.IntegrationTests.Journal;

/// <summary>The journal on a real SQLite file in a temporary directory.</summary>
public sealed class SqliteJournalTests : IDisposable
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(30);
    private static readonly DateTimeOffset Start = new(2025, 3, 14, 9, 0, 0, TimeSpan.FromHours(1));

    private readonly TempDirectory directory = new("downshift-journal-");
    private readonly FakeTimeProvider time = new(Start);

    private string JournalPath => directory.Combine("state", "journal.db");

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        directory.Dispose();
    }

    [Fact]
    public async Task AppendAsync_EveryField_RoundTrips()
    {
        // Given a new journal (its directory does not exist yet) with a run
        await using var journal = await OpenAsync();
        var header = Header("run-1");
        await journal.CreateRunAsync(header, Ct).WaitAsync(Limit, Ct);
        var record = new JournalRecord
        {
            RunId = "run-1",
            Time = Start.AddMilliseconds(1234.5),
            Operator = "alice",
            Event = JournalEvent.Command,
            Host = "web-1",
            Phase = "switch",
            StepIndex = 3,
            StepId = "link-release",
            Command = "ln -sfn /srv/app/1.4 /srv/app/current",
            ExitCode = 0,
            Output = "done\n",
            Duration = TimeSpan.FromMilliseconds(42.25),
            Result = "ok",
            Data = """{"previous":"/srv/app/1.5"}""",
        };

        // When
        var appended = await journal.AppendAsync(record, Ct).WaitAsync(Limit, Ct);
        var read = await journal.ReadAsync("run-1", Ct).WaitAsync(Limit, Ct);
        var found = await journal.FindRunAsync("run-1", Ct).WaitAsync(Limit, Ct);

        // Then every field comes back, with the sequence assigned
        Assert.True(appended.Sequence > 0);
        Assert.Equal(record with { Sequence = appended.Sequence }, Assert.Single(read));
        Assert.Equal(Start.Offset, read[0].Time.Offset);
        Assert.NotNull(found);
        Assert.Equal(header with { Variables = found.Variables }, found);
        Assert.Equal(header.Variables, found.Variables);
        Assert.Null(await journal.FindRunAsync("nope", Ct).WaitAsync(Limit, Ct));
    }

    [Fact]
    public async Task AppendAsync_NullableFieldsEmpty_RoundTrips()
    {
        // Given a run-level record with nothing but the required fields
        await using var journal = await OpenAsync();
        await journal.CreateRunAsync(Header("run-1"), Ct).WaitAsync(Limit, Ct);
        var record = new JournalRecord { RunId = "run-1", Time = Start, Operator = "alice", Event = JournalEvent.RunStarted };

        // When
        var appended = await journal.AppendAsync(record, Ct).WaitAsync(Limit, Ct);

        // Then
        Assert.Equal(appended, Assert.Single(await journal.ReadAsync("run-1", Ct).WaitAsync(Limit, Ct)));
    }

    [Fact]
    public async Task AppendAsync_SecretsAndLongOutput_StoredRedactedAndCut()
    {
        // Given a journal with a registered secret
        await using var journal = await OpenAsync();
        journal.Redactor.AddSecret("s3cr3t-from-vault");
        await journal.CreateRunAsync(Header("run-1"), Ct).WaitAsync(Limit, Ct);

        // When a record carries secrets in every free-text field and a long output
        await journal.AppendAsync(new JournalRecord
        {
            RunId = "run-1",
            Time = Start,
            Operator = "alice",
            Event = JournalEvent.Command,
            Command = "PGPASSWORD=pw1 psql",
            Output = "token=abc " + new string('x', 10_000) + " s3cr3t-from-vault",
            Result = "failed: password=pw2",
            Data = """{"password":"pw3"}""",
        }, Ct).WaitAsync(Limit, Ct);
        var stored = Assert.Single(await journal.ReadAsync("run-1", Ct).WaitAsync(Limit, Ct));

        // Then
        Assert.Equal("PGPASSWORD=*** psql", stored.Command);
        Assert.Equal("failed: password=***", stored.Result);
        Assert.Equal("""{"password":"***"}""", stored.Data);
        Assert.StartsWith("token=*** xxx", stored.Output, StringComparison.Ordinal);
        Assert.EndsWith("xxx ***", stored.Output, StringComparison.Ordinal);
        Assert.Contains("bytes elided", stored.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AppendAsync_UnknownRun_RunNotFound()
    {
        // Given a journal without that run
        await using var journal = await OpenAsync();

        // When / Then
        var ex = await Assert.ThrowsAsync<DownshiftException>(() =>
            journal.AppendAsync(new JournalRecord { RunId = "ghost", Time = Start, Operator = "a", Event = JournalEvent.Note }, Ct)
                .WaitAsync(Limit, Ct)).WaitAsync(Limit, Ct);
        Assert.Contains("ghost", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AppendAsync_ManyHostsAtOnce_EveryRecordWrittenOnceInOneOrder()
    {
        // Given a run and 20 "hosts" appending 10 records each at the same time
        await using var journal = await OpenAsync();
        await journal.CreateRunAsync(Header("run-1"), Ct).WaitAsync(Limit, Ct);

        // When
        var written = await Task.WhenAll(Enumerable.Range(1, 20).Select(host => Task.Run(async () =>
        {
            var mine = new List<JournalRecord>();
            for (var i = 0; i < 10; i++)
            {
                mine.Add(await journal.AppendAsync(Record("run-1", JournalEvent.Command) with { Host = $"h{host}", Result = $"{i}" }, Ct));
            }

            return mine;
        }))).WaitAsync(Limit, Ct);

        // Then every append returned its own stored record, each host's records keep their order,
        // and the file holds exactly those 200 records
        var all = written.SelectMany(w => w).ToList();
        Assert.Equal(200, all.Select(r => r.Sequence).Distinct().Count());
        Assert.All(written, mine => Assert.Equal(mine.Select(r => r.Sequence).Order(), mine.Select(r => r.Sequence)));
        Assert.All(written, mine => Assert.Equal(Enumerable.Range(0, 10).Select(i => $"{i}"), mine.Select(r => r.Result)));
        var read = await journal.ReadAsync("run-1", Ct).WaitAsync(Limit, Ct);
        Assert.Equal(all.OrderBy(r => r.Sequence).Select(r => (r.Sequence, r.Host, r.Result)), read.Select(r => (r.Sequence, r.Host, r.Result)));
    }

    [Fact]
    public async Task AppendAsync_OneUnknownRunAmongConcurrentAppends_OnlyThatOneFails()
    {
        // Given a run, and appends for it racing one append for a run that does not exist
        await using var journal = await OpenAsync();
        await journal.CreateRunAsync(Header("run-1"), Ct).WaitAsync(Limit, Ct);

        // When
        var good = Enumerable.Range(0, 30).Select(i => journal.AppendAsync(Record("run-1", JournalEvent.Note) with { Result = $"{i}" }, Ct)).ToList();
        var bad = journal.AppendAsync(Record("ghost", JournalEvent.Note), Ct);
        var more = Enumerable.Range(30, 30).Select(i => journal.AppendAsync(Record("run-1", JournalEvent.Note) with { Result = $"{i}" }, Ct)).ToList();

        // Then
        await Task.WhenAll(good.Concat(more)).WaitAsync(Limit, Ct);
        var ex = await Assert.ThrowsAsync<DownshiftException>(() => bad.WaitAsync(Limit, Ct)).WaitAsync(Limit, Ct);
        Assert.Contains("ghost", ex.Message, StringComparison.Ordinal);
        Assert.Equal(60, (await journal.ReadAsync("run-1", Ct).WaitAsync(Limit, Ct)).Count);
    }

    [Fact]
    public async Task CreateRunAsync_SameRunTwice_Refused()
    {
        // Given a run
        await using var journal = await OpenAsync();
        await journal.CreateRunAsync(Header("run-1"), Ct).WaitAsync(Limit, Ct);

        // When / Then
        await Assert.ThrowsAsync<DownshiftException>(() =>
            journal.CreateRunAsync(Header("run-1"), Ct).WaitAsync(Limit, Ct)).WaitAsync(Limit, Ct);
    }

    [Theory]
    [InlineData("UPDATE records SET result = 'forged'")]
    [InlineData("DELETE FROM records")]
    [InlineData("UPDATE runs SET plan_text = 'forged'")]
    [InlineData("DELETE FROM runs")]
    public async Task RawConnection_UpdateOrDelete_RefusedByTrigger(string sql)
    {
        // Given a journal with a run and a record
        await using (var journal = await OpenAsync())
        {
            await journal.CreateRunAsync(Header("run-1"), Ct).WaitAsync(Limit, Ct);
            await journal.AppendAsync(Record("run-1", JournalEvent.RunStarted), Ct).WaitAsync(Limit, Ct);
        }

        // When someone edits the file directly
        await using var raw = new SqliteConnection($"Data Source={JournalPath};Pooling=False");
        await raw.OpenAsync(Ct).WaitAsync(Limit, Ct);
        await using var command = raw.CreateCommand();
        command.CommandText = sql;
        var ex = await Assert.ThrowsAsync<SqliteException>(() => command.ExecuteNonQueryAsync(Ct).WaitAsync(Limit, Ct)).WaitAsync(Limit, Ct);

        // Then the database refuses, and nothing changed
        Assert.Contains("journal is append-only", ex.Message, StringComparison.Ordinal);
        await using var reopened = await OpenAsync();
        Assert.Equal("ok", Assert.Single(await reopened.ReadAsync("run-1", Ct).WaitAsync(Limit, Ct)).Result);
    }

    [Fact]
    public async Task AppendAsync_TwoJournalsOnOneFileConcurrently_LoseNothing()
    {
        // Given two journals on the same file, like two processes, and one run each
        await using var first = await OpenAsync();
        await using var second = await OpenAsync();
        await first.CreateRunAsync(Header("run-a"), Ct).WaitAsync(Limit, Ct);
        await second.CreateRunAsync(Header("run-b"), Ct).WaitAsync(Limit, Ct);
        const int perWriter = 50;

        // When four writers (two per journal, like two hosts' tasks) append at once
        Task Write(IJournal journal, string runId, string host) => Task.Run(async () =>
        {
            for (var i = 0; i < perWriter; i++)
            {
                await journal.AppendAsync(Record(runId, JournalEvent.Command) with { Host = host, StepIndex = i }, Ct).WaitAsync(Limit, Ct);
            }
        }, Ct);
        await Task.WhenAll(
            Write(first, "run-a", "h1"), Write(first, "run-a", "h2"),
            Write(second, "run-b", "h1"), Write(second, "run-b", "h2")).WaitAsync(Limit, Ct);

        // Then every record is there, each with its own sequence
        var a = await second.ReadAsync("run-a", Ct).WaitAsync(Limit, Ct);
        var b = await first.ReadAsync("run-b", Ct).WaitAsync(Limit, Ct);
        Assert.Equal(2 * perWriter, a.Count);
        Assert.Equal(2 * perWriter, b.Count);
        Assert.Equal(4 * perWriter, a.Concat(b).Select(r => r.Sequence).Distinct().Count());
    }

    [Fact]
    public async Task ReadAsync_WhileAnotherProcessHoldsTheWriteLock_StillReads()
    {
        // Given a journal with a record, and another connection in an EXCLUSIVE transaction that has written a row
        // (outside WAL, an exclusive lock shuts readers out; in WAL it does not)
        await using var journal = await OpenAsync();
        await journal.CreateRunAsync(Header("run-1"), Ct).WaitAsync(Limit, Ct);
        await journal.AppendAsync(Record("run-1", JournalEvent.RunStarted), Ct).WaitAsync(Limit, Ct);
        await using var writer = new SqliteConnection($"Data Source={JournalPath};Pooling=False");
        await writer.OpenAsync(Ct).WaitAsync(Limit, Ct);
        await using var write = writer.CreateCommand();
        write.CommandText = """
            BEGIN EXCLUSIVE;
            INSERT INTO records (run_id, time, operator, event, stored_at) VALUES ('run-1', 'now', 'bob', 'Note', 'now');
            """;
        await write.ExecuteNonQueryAsync(Ct).WaitAsync(Limit, Ct);

        // When the journal reads
        var records = await journal.ReadAsync("run-1", Ct).WaitAsync(Limit, Ct);
        var runs = await journal.ListRunsAsync(Ct).WaitAsync(Limit, Ct);

        // Then it read at once, and only what was committed
        Assert.Single(records);
        Assert.Single(runs);
    }

    [Fact]
    public async Task OpenAsync_AfterDispose_ReadsEverything()
    {
        // Given a journal written and disposed
        await using (var journal = await OpenAsync())
        {
            await journal.CreateRunAsync(Header("run-1"), Ct).WaitAsync(Limit, Ct);
            foreach (var e in new[] { JournalEvent.RunStarted, JournalEvent.Note, JournalEvent.RunFinished })
            {
                await journal.AppendAsync(Record("run-1", e), Ct).WaitAsync(Limit, Ct);
            }
        }

        // When reopened
        await using var reopened = await OpenAsync();
        var records = await reopened.ReadAsync("run-1", Ct).WaitAsync(Limit, Ct);

        // Then
        Assert.Equal([JournalEvent.RunStarted, JournalEvent.Note, JournalEvent.RunFinished], records.Select(r => r.Event));
        Assert.NotNull(await reopened.FindRunAsync("run-1", Ct).WaitAsync(Limit, Ct));
    }

    [Fact]
    public async Task ListRunsAsync_SeveralRuns_NewestFirstWithDerivedStatus()
    {
        // Given an older finished run and a newer unfinished one
        await using var journal = await OpenAsync();
        await journal.CreateRunAsync(Header("old"), Ct).WaitAsync(Limit, Ct);
        await journal.CreateRunAsync(Header("new") with { StartedAt = Start.AddHours(1) }, Ct).WaitAsync(Limit, Ct);
        await journal.AppendAsync(Record("old", JournalEvent.RunStarted), Ct).WaitAsync(Limit, Ct);
        var finished = await journal.AppendAsync(
            Record("old", JournalEvent.RunFinished) with { Time = Start.AddMinutes(5), Result = RunStatus.RolledBack.ToWire() }, Ct)
            .WaitAsync(Limit, Ct);
        await journal.AppendAsync(Record("new", JournalEvent.RunStarted), Ct).WaitAsync(Limit, Ct);

        // When
        var runs = await journal.ListRunsAsync(Ct).WaitAsync(Limit, Ct);

        // Then
        Assert.Equal(["new", "old"], runs.Select(r => r.RunId));
        Assert.Equal(RunStatus.Running, runs[0].Status);
        Assert.Null(runs[0].FinishedAt);
        Assert.Equal(RunStatus.RolledBack, runs[1].Status);
        Assert.Equal(finished.Time, runs[1].FinishedAt);
        Assert.Equal("alice", runs[1].Operator);
        Assert.Equal("downgrade-app", runs[1].PlanName);
    }

    [Fact]
    public async Task ListRunsAsync_RecordsAfterRunFinished_StatusAsTheReplaySaysWithoutReadingEveryRecord()
    {
        // Given runs whose last RunFinished is followed by nothing, by a lease release and a note, by a resume, and a run finished twice
        await using var journal = await OpenAsync();
        var runs = new Dictionary<string, JournalEvent[]>
        {
            ["plain"] = [JournalEvent.RunStarted, JournalEvent.RunFinished],
            ["released"] = [JournalEvent.RunStarted, JournalEvent.RunFinished, JournalEvent.LeaseReleased, JournalEvent.Note],
            ["resumed"] = [JournalEvent.RunStarted, JournalEvent.RunFinished, JournalEvent.Resumed],
            ["twice"] = [JournalEvent.RunStarted, JournalEvent.RunFinished, JournalEvent.Resumed, JournalEvent.RunFinished],
        };
        foreach (var (id, events) in runs)
        {
            await journal.CreateRunAsync(Header(id), Ct).WaitAsync(Limit, Ct);
            for (var i = 0; i < events.Length; i++)
            {
                // an earlier finish says failed, the last one rolled back
                var status = events[i] != JournalEvent.RunFinished ? null
                    : Array.LastIndexOf(events, JournalEvent.RunFinished) == i ? RunStatus.RolledBack.ToWire() : RunStatus.Failed.ToWire();
                await journal.AppendAsync(Record(id, events[i]) with { Result = status }, Ct).WaitAsync(Limit, Ct);
            }
        }

        // When listed
        var listed = await journal.ListRunsAsync(Ct).WaitAsync(Limit, Ct);

        // Then each status and finish time is what the replay of all its records says
        foreach (var run in listed)
        {
            var replay = RunReplay.From(await journal.ReadAsync(run.RunId, Ct).WaitAsync(Limit, Ct));
            Assert.Equal((replay.Status, replay.FinishedAt), (run.Status, run.FinishedAt));
        }

        Assert.Equal(
            ["plain rolled-back", "released rolled-back", "resumed running", "twice rolled-back"],
            listed.Select(r => $"{r.RunId} {r.Status.ToWire()}").Order());
    }

    [Fact]
    public async Task OpenAsync_GarbageFile_JournalCorrupt()
    {
        // Given a file of random bytes where the journal should be
        Directory.CreateDirectory(Path.GetDirectoryName(JournalPath)!);
        var garbage = new byte[8192];
        new Random(7).NextBytes(garbage);
        await File.WriteAllBytesAsync(JournalPath, garbage, Ct).WaitAsync(Limit, Ct);

        // When / Then
        var ex = await Assert.ThrowsAsync<DownshiftException>(() => OpenAsync()).WaitAsync(Limit, Ct);
        Assert.Contains(JournalPath, ex.Message, StringComparison.Ordinal);
        Assert.Contains("not a readable Downshift journal", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task OpenAsync_NewerSchemaVersion_JournalCorrupt()
    {
        // Given a journal that a newer Downshift has migrated
        await (await OpenAsync()).DisposeAsync().AsTask().WaitAsync(Limit, Ct);
        await ExecuteRawAsync("PRAGMA user_version = 99;");

        // When / Then
        var ex = await Assert.ThrowsAsync<DownshiftException>(() => OpenAsync()).WaitAsync(Limit, Ct);
        Assert.Contains("newer Downshift (schema version 99", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task OpenAsync_OtherSqliteDatabase_JournalCorrupt()
    {
        // Given some other application's SQLite database
        Directory.CreateDirectory(Path.GetDirectoryName(JournalPath)!);
        await ExecuteRawAsync("CREATE TABLE customers (id INTEGER);");

        // When / Then
        var ex = await Assert.ThrowsAsync<DownshiftException>(() => OpenAsync()).WaitAsync(Limit, Ct);
        Assert.Contains("not a Downshift journal", ex.Message, StringComparison.Ordinal);
    }

    private Task<SqliteJournal> OpenAsync() => SqliteJournal.OpenAsync(JournalPath, time, Ct).WaitAsync(Limit, Ct);

    private async Task ExecuteRawAsync(string sql)
    {
        await using var raw = new SqliteConnection($"Data Source={JournalPath};Pooling=False");
        await raw.OpenAsync(Ct).WaitAsync(Limit, Ct);
        await using var command = raw.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync(Ct).WaitAsync(Limit, Ct);
    }

    private static RunHeader Header(string runId) => new()
    {
        RunId = runId,
        PlanName = "downgrade-app",
        PlanPath = "/plans/app.yaml",
        PlanHash = "abc123",
        PlanText = "name: downgrade-app\nfrom: '1.5'\nto: '1.4'\n",
        Variables = new Dictionary<string, string> { ["release"] = "1.4", ["env"] = "prod" },
        Operator = "alice",
        StartedAt = Start,
    };

    private static JournalRecord Record(string runId, JournalEvent journalEvent) => new()
    {
        RunId = runId,
        Time = Start,
        Operator = "alice",
        Event = journalEvent,
        Result = "ok",
    };
}
