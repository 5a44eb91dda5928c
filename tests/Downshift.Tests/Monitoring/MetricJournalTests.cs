using Downshift.Journal;
using Downshift.Journal.Internal;
using Downshift.Monitoring;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Time.Testing;

namespace Downshift.Tests.Monitoring;

public sealed class MetricJournalTests : IAsyncLifetime
{
    private static readonly DateTimeOffset Start = MonitorDriver.Start;
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    private readonly TempDirectory temp = new("downshift-metrics-");
    private readonly FakeTimeProvider time = new(Start);
    private SqliteJournal journal = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        journal = await SqliteJournal.OpenAsync(temp.Combine("journal.db"), time, Ct).WaitAsync(Bound, Ct);
        await journal.CreateRunAsync(Header("run-1"), Ct);
    }

    public async ValueTask DisposeAsync()
    {
        await journal.DisposeAsync();
        temp.Dispose();
    }

    [Fact]
    public async Task ReadAsync_AfterAppends_RebuildsEverySeriesWithValuesNullsAndErrors()
    {
        // Given two records of h1 and one of the fleet's probe
        var metrics = new MetricJournal(journal, time);
        await metrics.AppendAsync("run-1", "alice", MetricJournal.BaselineStage,
            [Sample("h1", MetricNames.CpuPercent, 0, 12.5), Sample("h1", MetricNames.CpuPercent, 1, null, "no route to host"), Sample("h1", MetricNames.MemoryPercent, 1, 40.125)], Ct);
        await metrics.AppendAsync("run-1", "alice", MetricJournal.LiveStage, [Sample("h1", MetricNames.CpuPercent, 2, 99.75)], Ct);
        var probe = await metrics.AppendAsync("run-1", "alice", MetricJournal.LiveStage, [Sample(MetricNames.FleetHost, MetricNames.HttpErrorRate("api"), 2, 0.5)], Ct);

        // When the run's series are read back
        var all = await metrics.ReadAsync("run-1", Ct);
        var baseline = await metrics.ReadAsync("run-1", MetricJournal.BaselineStage, Ct);

        // Then every point is there, in time order, joined across records; a stage reads alone
        Assert.Equal([(MetricNames.FleetHost, MetricNames.HttpErrorRate("api")), ("h1", MetricNames.CpuPercent), ("h1", MetricNames.MemoryPercent)],
            all.Select(s => (s.Host, s.Metric)));
        Assert.Equal(
            [new MetricPoint(Start, 12.5), new MetricPoint(Start.AddSeconds(1), null, "no route to host"), new MetricPoint(Start.AddSeconds(2), 99.75)],
            all[1].Points);
        Assert.Equal(2, baseline.Single(s => s.Metric == MetricNames.CpuPercent).Points.Count);
        Assert.Null(probe.Host); // the fleet is not a host of the run
        var records = await journal.ReadAsync("run-1", Ct);
        Assert.All(records, r => Assert.Equal(JournalEvent.MetricSamples, r.Event));
        Assert.Equal("baseline: 2 metrics, 3 points (1 missing), 22:00:00–22:00:01 UTC", records[0].Result);
    }

    [Fact]
    public async Task AppendAsync_SamplesOfTwoHosts_Refused()
    {
        var metrics = new MetricJournal(journal, time);

        await Assert.ThrowsAsync<ArgumentException>(() => metrics.AppendAsync("run-1", "alice", MetricJournal.LiveStage,
            [Sample("h1", MetricNames.CpuPercent, 0, 1), Sample("h2", MetricNames.CpuPercent, 0, 1)], Ct));
    }

    [Fact]
    public async Task Writer_TicksEverySecond_OneRecordPerHostPerTenSecondsAndNotesAtOnce()
    {
        // Given a writer fed 25 one-second batches of two hosts, one batch with a note
        var writer = new MetricJournalWriter(journal, "run-1", "alice", MetricJournal.LiveStage, time);
        for (var i = 0; i < 25; i++)
        {
            var batch = new MonitorBatch(time.GetUtcNow(), [Sample("h1", MetricNames.CpuPercent, i, i), Sample("h2", MetricNames.CpuPercent, i, i)])
            {
                Notes = i == 3 ? ["h1: log /var/log/shop.log was truncated"] : [],
            };
            await writer.AddAsync(batch, Ct);
            time.Advance(TimeSpan.FromSeconds(1));
        }

        // When it is flushed at the end
        var beforeFlush = (await journal.ReadAsync("run-1", Ct)).Count(r => r.Event == JournalEvent.MetricSamples);
        await writer.FlushAsync(Ct);

        // Then each host has a record per 10 s plus the rest, every point kept, and the note on its own
        var records = await journal.ReadAsync("run-1", Ct);
        Assert.Equal(4, beforeFlush);
        Assert.Equal(6, records.Count(r => r.Event == JournalEvent.MetricSamples));
        Assert.Equal("monitor: h1: log /var/log/shop.log was truncated", records.Single(r => r.Event == JournalEvent.Note).Result);
        var series = await new MetricJournal(journal, time).ReadAsync("run-1", Ct);
        Assert.All(series, s => Assert.Equal(Enumerable.Range(0, 25).Select(i => (double)i), s.Points.Select(p => p.Value!.Value)));
    }

    [Fact]
    public async Task MetricSamples_AfterRunFinished_DoNotReopenTheRun()
    {
        await journal.AppendAsync(new JournalRecord { RunId = "run-1", Time = Start, Operator = "alice", Event = JournalEvent.RunFinished, Result = RunStatus.Succeeded.ToWire() }, Ct);

        await new MetricJournal(journal, time).AppendAsync("run-1", "alice", MetricJournal.LiveStage, [Sample("h1", MetricNames.CpuPercent, 3, 1)], Ct);

        Assert.Equal(RunStatus.Succeeded, (await journal.ListRunsAsync(Ct)).Single().Status);
        Assert.Equal(RunStatus.Succeeded, RunReplay.From(await journal.ReadAsync("run-1", Ct)).Status);
    }

    [Fact]
    public async Task OpenAsync_AVersion1Journal_IsMigratedToVersion2AndKeepsItsRuns()
    {
        // Given a journal file of schema version 1 with a run
        var path = temp.Combine("v1.db");
        await using (var connection = new SqliteConnection($"Data Source={path};Pooling=False"))
        {
            await connection.OpenAsync(Ct);
            await using var create = connection.CreateCommand();
            create.CommandText = JournalSchema.Version1 + "INSERT INTO runs VALUES ('old', 'p', 'p.yaml', 'h', 't', '{}', 'bob', '2025-01-01T00:00:00.0000000+00:00', '2025-01-01T00:00:00.0000000+00:00');";
            await create.ExecuteNonQueryAsync(Ct);
        }

        // When this Downshift opens it
        await using (var opened = await SqliteJournal.OpenAsync(path, time, Ct))
        {
            Assert.NotNull(await opened.FindRunAsync("old", Ct));
            await opened.AppendAsync(new JournalRecord { RunId = "old", Time = Start, Operator = "bob", Event = JournalEvent.MetricSamples, Data = "{}" }, Ct);
        }

        // Then it is at the current version (2 added MetricSamples, 3 the rehearsals table)
        await using var check = new SqliteConnection($"Data Source={path};Pooling=False");
        await check.OpenAsync(Ct);
        await using var version = check.CreateCommand();
        version.CommandText = "PRAGMA user_version;";
        Assert.Equal((long)JournalSchema.CurrentVersion, await version.ExecuteScalarAsync(Ct));
    }

    private static MetricSample Sample(string host, string metric, int second, double? value, string? error = null) =>
        new(host, metric, new MetricPoint(Start.AddSeconds(second), value, error));

    private static RunHeader Header(string runId) => new()
    {
        RunId = runId,
        PlanName = "shop",
        PlanPath = "plan.yaml",
        PlanHash = "hash",
        PlanText = "text",
        Variables = new Dictionary<string, string>(),
        Operator = "alice",
        StartedAt = Start,
    };
}
