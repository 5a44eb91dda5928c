using Downshift.Databases;
using Downshift.IntegrationTests.Databases;
using Downshift.IntegrationTests.TestSupport;
using Downshift.Steps;
using Downshift.Steps.Migrate;
using Downshift.Steps.Migrate.Internal;

namespace Downshift.IntegrationTests.Migrate;

/// <summary>
/// The migrate step (E5) against a real private PostgreSQL cluster and a real SQLite file, through the
/// local transport: Flyway-named scripts, one transaction per script with its history row, a script
/// that fails midway, data checks, and the reapply undo. The schema is read with the server's own psql.
/// </summary>
public sealed class MigrateStepTests(PostgresServer server) : IClassFixture<PostgresServer>, IAsyncDisposable
{
    private const string History = """
        CREATE TABLE flyway_schema_history (
            installed_rank integer NOT NULL PRIMARY KEY, version varchar(50), description varchar(200) NOT NULL,
            type varchar(20) NOT NULL, script varchar(1000) NOT NULL, checksum integer, installed_by varchar(100) NOT NULL,
            installed_on timestamp NOT NULL DEFAULT now(), execution_time integer NOT NULL, success boolean NOT NULL);
        """;

    private readonly StepHarness harness = new();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public ValueTask DisposeAsync() => harness.DisposeAsync();

    [Fact]
    public async Task Execute_UndoScriptFailsMidway_TransactionRolledBackSchemaAtTheLastCompletedVersion()
    {
        // Given a database at 3 (V1 orders, V2 coupons, V3 notes) whose undo of 2 fails at its second statement
        var name = await ShopAtVersion3Async(undo2: "DROP TABLE coupons;\nALTER TABLE no_such_table ADD x int;\n");
        var (executor, context) = Step(server.Socket(name), to: "1", accept: true);

        // When staged, prepared and executed down to 1
        Assert.True((await executor.StageAsync(context, Ct).WaitAsync(StepHarness.Timeout, Ct)).IsSuccess);
        var prepared = await executor.PrepareAsync(context, Ct).WaitAsync(StepHarness.Timeout, Ct);
        var outcome = await executor.ExecuteAsync(context, prepared, Ct).WaitAsync(StepHarness.Timeout, Ct);

        // Then the step failed naming the script and the version; U3 stands, U2's DROP TABLE was rolled back with it
        Assert.False(outcome.IsSuccess);
        Assert.Contains("U2__coupons.sql failed", outcome.Detail, StringComparison.Ordinal);
        Assert.Contains("the schema is at 2", outcome.Detail, StringComparison.Ordinal);
        Assert.Equal("coupons", await Psql(name, "SELECT to_regclass('coupons')"));
        Assert.Equal("", await Psql(name, "SELECT column_name FROM information_schema.columns WHERE table_name = 'orders' AND column_name = 'note'"));
        Assert.Equal("UNDO_SQL 3", await Psql(name, "SELECT type || ' ' || version FROM flyway_schema_history ORDER BY installed_rank DESC LIMIT 1"));

        // When undone (reapply): the V scripts bring it back to 3, and the data checks hold
        var undo = await executor.UndoAsync(context, prepared, Ct).WaitAsync(StepHarness.Timeout, Ct);

        // Then it is at 3 again, with every order
        Assert.True(undo.IsSuccess, undo.Detail);
        Assert.Equal("note", await Psql(name, "SELECT column_name FROM information_schema.columns WHERE table_name = 'orders' AND column_name = 'note'"));
        Assert.Equal("3", await Psql(name, "SELECT count(*) FROM orders"));
        Assert.Equal(CheckResult.NotDone, await executor.CheckAsync(context, Ct).WaitAsync(StepHarness.Timeout, Ct));
    }

    [Fact]
    public async Task Execute_DownToOne_NewestFirstHistoryRowsAndCheckThenSaysDone()
    {
        // Given a database at 3 and an order-count check
        var name = await ShopAtVersion3Async(undo2: "DROP TABLE coupons;");
        var (executor, context) = Step(server.Socket(name), to: "1", accept: true);

        // When the step runs
        Assert.Equal(CheckResult.NotDone, await executor.CheckAsync(context, Ct).WaitAsync(StepHarness.Timeout, Ct));
        var prepared = await executor.PrepareAsync(context, Ct).WaitAsync(StepHarness.Timeout, Ct);
        var outcome = await executor.ExecuteAsync(context, prepared, Ct).WaitAsync(StepHarness.Timeout, Ct);

        // Then U3 then U2 ran, each with an UNDO_SQL row, and the orders are all there
        Assert.True(outcome.IsSuccess, outcome.Detail);
        Assert.Contains("orders kept: 3 = 3", outcome.Detail, StringComparison.Ordinal);
        Assert.Equal("UNDO_SQL 3 U3__notes.sql\nUNDO_SQL 2 U2__coupons.sql", await Psql(name, "SELECT type || ' ' || version || ' ' || script FROM flyway_schema_history WHERE installed_rank > 3 ORDER BY installed_rank"));

        // And the check: not done while data checks are declared (a resumed run must still compare them), done without
        Assert.Equal(CheckResult.NotDone, await executor.CheckAsync(context, Ct).WaitAsync(StepHarness.Timeout, Ct));
        var (plain, plainContext) = Step(server.Socket(name), to: "1", accept: true, checks: false);
        Assert.Equal(CheckResult.Done, await plain.CheckAsync(plainContext, Ct).WaitAsync(StepHarness.Timeout, Ct));

        // And executed again (a resume after a kill before the checks ran): no script runs, the checks compare with the values prepared first
        var again = await executor.ExecuteAsync(context, prepared, Ct).WaitAsync(StepHarness.Timeout, Ct);
        Assert.True(again.IsSuccess, again.Detail);
        Assert.Contains("nothing to run", again.Detail, StringComparison.Ordinal);
        await Psql(name, "DELETE FROM orders WHERE id = 3");
        var lost = await executor.ExecuteAsync(context, prepared, Ct).WaitAsync(StepHarness.Timeout, Ct);
        Assert.False(lost.IsSuccess);
        Assert.Contains("'orders kept' was 3 before, 2 after", lost.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Stage_DataDestroyingUndoWithoutRestoreBackup_RefusedNothingChanged()
    {
        // Given a database at 3 whose undo of 2 drops a table, and a step that would undo by re-applying
        var name = await ShopAtVersion3Async(undo2: "DROP TABLE coupons;");
        var (executor, context) = Step(server.Socket(name), to: "1");

        // When staged
        var staged = await executor.StageAsync(context, Ct).WaitAsync(StepHarness.Timeout, Ct);

        // Then staging refuses, naming the statement and the way out; the database is untouched
        Assert.False(staged.IsSuccess);
        Assert.Contains("U2__coupons.sql destroys data (DROP TABLE coupons;)", staged.Detail, StringComparison.Ordinal);
        Assert.Contains("undo-with: restore-backup", staged.Detail, StringComparison.Ordinal);
        Assert.Equal("3", await Psql(name, "SELECT count(*) FROM flyway_schema_history"));
    }

    [Fact]
    public async Task Stage_AppliedScriptChangedSinceItRan_Refused()
    {
        // Given a database whose history row for 2 carries another checksum than V2__coupons.sql now has
        var name = await ShopAtVersion3Async(undo2: "DROP TABLE coupons;");
        await Psql(name, "UPDATE flyway_schema_history SET checksum = 12345 WHERE version = '2'");
        var (executor, context) = Step(server.Socket(name), to: "1", accept: true);

        // When staged, then refused naming the script
        var staged = await executor.StageAsync(context, Ct).WaitAsync(StepHarness.Timeout, Ct);
        Assert.False(staged.IsSuccess);
        Assert.Contains("V2__coupons.sql differs from the script applied as 2", staged.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Execute_Sqlite_DownAndUndoReapply()
    {
        // Given a SQLite database at 3 made by the same scripts
        var file = Path.Combine(harness.Root, "shop.db");
        await WriteScriptsAsync(undo2: "DROP TABLE coupons;");
        await harness.RunAsync($"""
            python3 - <<'PY'
            import sqlite3
            c = sqlite3.connect('{file}')
            c.executescript('''{History.Replace("now()", "CURRENT_TIMESTAMP", StringComparison.Ordinal)}''')
            c.executescript('''{V1}{V2}{V3}INSERT INTO orders (item) VALUES ('a'), ('b'), ('c');''')
            for rank, (v, s) in enumerate([('1', 'V1__orders.sql'), ('2', 'V2__coupons.sql'), ('3', 'V3__notes.sql')], 1):
                c.execute("INSERT INTO flyway_schema_history VALUES (?, ?, 'x', 'SQL', ?, NULL, 'test', CURRENT_TIMESTAMP, 0, 1)", (rank, v, s))
            c.commit()
            PY
            """);
        var (executor, context) = Step(new DatabaseTarget { Engine = DatabaseTarget.Sqlite, Path = file }, to: "1", accept: true);

        // When migrated down and undone
        var prepared = await executor.PrepareAsync(context, Ct).WaitAsync(StepHarness.Timeout, Ct);
        var down = await executor.ExecuteAsync(context, prepared, Ct).WaitAsync(StepHarness.Timeout, Ct);
        Assert.True(down.IsSuccess, down.Detail);
        Assert.Equal("1", await SqliteAsync(file, "SELECT count(*) FROM flyway_schema_history WHERE type = 'UNDO_SQL' AND version = '2' AND success = 1"));
        var undo = await executor.UndoAsync(context, prepared, Ct).WaitAsync(StepHarness.Timeout, Ct);

        // Then the undo re-applied V2 and V3, and the orders are all there
        Assert.True(undo.IsSuccess, undo.Detail);
        Assert.Contains("V2__coupons.sql", undo.Detail, StringComparison.Ordinal);
        Assert.Contains("orders kept: 3 = 3", undo.Detail, StringComparison.Ordinal);
    }

    private const string V1 = "CREATE TABLE orders (id integer PRIMARY KEY, item text NOT NULL);\n";
    private const string V2 = "CREATE TABLE coupons (code text PRIMARY KEY);\n";
    private const string V3 = "ALTER TABLE orders ADD COLUMN note text;\n";

    private async Task WriteScriptsAsync(string undo2)
    {
        var scripts = Path.Combine(harness.PlanDirectory, "migrations");
        Directory.CreateDirectory(scripts);
        await File.WriteAllTextAsync(Path.Combine(scripts, "V1__orders.sql"), V1, Ct);
        await File.WriteAllTextAsync(Path.Combine(scripts, "V2__coupons.sql"), V2, Ct);
        await File.WriteAllTextAsync(Path.Combine(scripts, "V3__notes.sql"), V3, Ct);
        await File.WriteAllTextAsync(Path.Combine(scripts, "U2__coupons.sql"), undo2, Ct);
        await File.WriteAllTextAsync(Path.Combine(scripts, "U3__notes.sql"), "ALTER TABLE orders RENAME COLUMN note TO note_gone;\nALTER TABLE orders DROP COLUMN note_gone;\n", Ct);
    }

    /// <summary>A PostgreSQL database at version 3 as Flyway would leave it (checksums of the V scripts in its history), three orders.</summary>
    private async Task<string> ShopAtVersion3Async(string undo2)
    {
        await WriteScriptsAsync(undo2);
        var checksums = new[] { V1, V2, V3 }.Select(MigrationScript.FlywayChecksum).ToList();
        return await server.CreateDatabaseAsync("migrate", $"""
            {History}
            {V1}{V2}{V3}
            INSERT INTO orders (id, item) VALUES (1, 'a'), (2, 'b'), (3, 'c');
            INSERT INTO flyway_schema_history (installed_rank, version, description, type, script, checksum, installed_by, execution_time, success) VALUES
              (1, '1', 'orders', 'SQL', 'V1__orders.sql', {checksums[0]}, 'test', 0, true),
              (2, '2', 'coupons', 'SQL', 'V2__coupons.sql', {checksums[1]}, 'test', 0, true),
              (3, '3', 'notes', 'SQL', 'V3__notes.sql', {checksums[2]}, 'test', 0, true);
            """, Ct);
    }

    private (MigrateExecutor Executor, StepContext Context) Step(DatabaseTarget database, string to, bool accept = false, bool checks = true, string? restoreFrom = null)
    {
        var options = new MigrateOptions
        {
            Database = database,
            Scripts = "migrations",
            To = to,
            AcceptDataLoss = accept,
            Checks = checks ? [new DataCheck("orders kept", "SELECT count(*) FROM orders", DataCheck.Same)] : [],
            UndoWith = restoreFrom is null ? MigrateUndo.Reapply : MigrateUndo.RestoreBackup,
            BackupStep = restoreFrom,
        };
        return ((MigrateExecutor)new MigrateStepKind().CreateExecutor(options), harness.Context(MigrateStepKind.KindName, options));
    }

    [Fact]
    public async Task Stage_ScriptWithItsOwnCommit_RefusedBeforeAnythingRuns()
    {
        // Given an undo script that commits by itself halfway (psql --single-transaction cannot protect what follows)
        var name = await ShopAtVersion3Async(undo2: "BEGIN;\nDROP TABLE coupons;\nCOMMIT;\nALTER TABLE no_such_table ADD x int;\n");
        var (executor, context) = Step(server.Socket(name), to: "1", accept: true);

        // When staged, then refused naming the statements; nothing ran
        var staged = await executor.StageAsync(context, Ct).WaitAsync(StepHarness.Timeout, Ct);
        Assert.False(staged.IsSuccess);
        Assert.Contains("U2__coupons.sql ends the step's transaction itself (BEGIN; COMMIT;)", staged.Detail, StringComparison.Ordinal);
        Assert.Equal("coupons", await Psql(name, "SELECT to_regclass('coupons')"));
    }

    [Fact]
    public async Task Stage_RestoreBackupWithoutABackupOfThisDatabase_Refused()
    {
        // Given a step that would undo by restoring step 'backup-db', in a run without a backup store
        var name = await ShopAtVersion3Async(undo2: "DROP TABLE coupons;");
        var (executor, context) = Step(server.Socket(name), to: "1", restoreFrom: "backup-db");

        // When staged, then refused: the data-destroying script may only run when its restore can work
        var staged = await executor.StageAsync(context, Ct).WaitAsync(StepHarness.Timeout, Ct);
        Assert.False(staged.IsSuccess);
        Assert.Contains("undo-with: restore-backup cannot work: this run has no backup store", staged.Detail, StringComparison.Ordinal);
    }

    private async Task<string> SqliteAsync(string file, string sql) =>
        (await CliRunner.RunProcessAsync("sqlite3", [file, sql], timeout: StepHarness.Timeout, cancellationToken: Ct)).Stdout.Trim();

    private async Task<string> Psql(string database, string sql) => (await server.PsqlAsync(database, sql, Ct)).Trim();
}
