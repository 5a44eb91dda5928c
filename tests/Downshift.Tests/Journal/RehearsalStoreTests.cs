using Downshift.Journal;
using Downshift.Journal.Internal;
using Downshift.Tests.Rehearsals;
using Microsoft.Data.Sqlite;

namespace Downshift.Tests.Journal;

public sealed class RehearsalStoreTests : IAsyncLifetime
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    private readonly TempDirectory temp = new("downshift-rehearsals-");
    private SqliteJournal journal = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        journal = await SqliteJournal.OpenAsync(temp.Combine("journal.db"), TimeProvider.System, Ct).WaitAsync(Bound, Ct);
        await journal.CreateRunAsync(Header("run-1", "hash-a"), Ct);
        await journal.CreateRunAsync(Header("run-2", "hash-a"), Ct);
    }

    public async ValueTask DisposeAsync()
    {
        await journal.DisposeAsync();
        temp.Dispose();
    }

    [Fact]
    public async Task FindPassingRehearsalAsync_FailedThenPassed_ReturnsThePassingOneOfThatHashOnly()
    {
        // Given a failed and then a passing rehearsal of hash-a
        await journal.AppendRehearsalAsync(RehearsalGateTests.Record("hash-a", passed: false, "run-1"), Ct);
        var passed = await journal.AppendRehearsalAsync(RehearsalGateTests.Record("hash-a", passed: true, "run-2") with { Data = """{"hosts":[]}""" }, Ct);

        // When asked by hash
        var found = await journal.FindPassingRehearsalAsync("hash-a", Ct);
        var other = await journal.FindPassingRehearsalAsync("hash-b", Ct);

        // Then hash-a's passing rehearsal comes back as stored, and another hash has none
        Assert.Equal(passed, found);
        Assert.Equal("run-2", found!.RunId);
        Assert.Equal("""{"hosts":[]}""", found.Data);
        Assert.Null(other);
        Assert.Equal([false, true], (await journal.ListRehearsalsAsync("hash-a", Ct)).Select(r => r.Passed));
    }

    [Fact]
    public async Task AppendRehearsalAsync_UnknownRun_RunNotFound()
    {
        var error = await Assert.ThrowsAsync<DownshiftException>(() =>
            journal.AppendRehearsalAsync(RehearsalGateTests.Record("hash-a", passed: true, "no-such-run"), Ct));

        Assert.Contains("no-such-run", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Rehearsals_UpdateOrDelete_RefusedByTheTriggers()
    {
        // Given a stored failed rehearsal
        await journal.AppendRehearsalAsync(RehearsalGateTests.Record("hash-a", passed: false, "run-1"), Ct);
        await journal.DisposeAsync();

        // When another connection tries to turn it into a pass, or to delete it
        await using var connection = new SqliteConnection($"Data Source={temp.Combine("journal.db")};Pooling=False");
        await connection.OpenAsync(Ct);
        foreach (var sql in new[] { "UPDATE rehearsals SET passed = 1;", "DELETE FROM rehearsals;" })
        {
            await using var command = connection.CreateCommand();
            command.CommandText = sql;
            var error = await Assert.ThrowsAsync<SqliteException>(() => command.ExecuteNonQueryAsync(Ct));

            // Then the journal is append-only
            Assert.Contains(JournalSchema.AppendOnlyMessage, error.Message, StringComparison.Ordinal);
        }

        journal = await SqliteJournal.OpenAsync(temp.Combine("journal.db"), TimeProvider.System, Ct);
        Assert.Null(await journal.FindPassingRehearsalAsync("hash-a", Ct));
    }

    private static RunHeader Header(string runId, string hash) => new()
    {
        RunId = runId,
        PlanName = "engine-test",
        PlanPath = "plan.yaml",
        PlanHash = hash,
        PlanText = "text",
        Variables = new Dictionary<string, string>(),
        Operator = "alice",
        StartedAt = DateTimeOffset.UnixEpoch,
    };
}
