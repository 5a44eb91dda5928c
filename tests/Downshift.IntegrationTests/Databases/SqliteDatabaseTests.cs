using Downshift.Databases;
using Downshift.Hosts;
using Downshift.IntegrationTests.TestSupport;

namespace Downshift.IntegrationTests.Databases;

/// <summary>
/// <see cref="SqliteDatabase"/> on real SQLite files in a temporary directory, through
/// <see cref="LocalTransport"/>: python3's sqlite3 module does the work as it would on a host.
/// </summary>
public sealed class SqliteDatabaseTests : IDisposable
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(60);

    /// <summary>An orders database at schema 2.3 with Flyway's history and 5,000 orders.</summary>
    private const string Shop = """
        CREATE TABLE orders (id INTEGER PRIMARY KEY, customer TEXT NOT NULL, quantity INTEGER NOT NULL DEFAULT 1, note TEXT, price REAL);
        CREATE INDEX orders_customer ON orders (customer);
        CREATE TABLE coupons (code TEXT PRIMARY KEY, order_id INTEGER REFERENCES orders (id), percent REAL CHECK (percent > 0));
        CREATE TABLE flyway_schema_history (installed_rank INTEGER PRIMARY KEY, version TEXT, description TEXT NOT NULL, success INTEGER NOT NULL);
        CREATE VIEW big_orders AS SELECT * FROM orders WHERE quantity > 5;
        WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 5000)
            INSERT INTO orders (customer, quantity, note, price)
            SELECT 'c' || (i % 100), i % 10 + 1, CASE WHEN i % 7 = 0 THEN NULL ELSE 'note' || char(9) || i END, i / 4.0 FROM n;
        INSERT INTO coupons VALUES ('SAVE10', 1, 10), ('ÜBER', 2, 12.5);
        INSERT INTO flyway_schema_history VALUES (1, '2.1', 'orders', 1), (2, '2.3', 'coupons', 1);
        """;

    private readonly TempDirectory directory = new("downshift-sqlite-");
    private readonly IHostTransport host = new LocalTransport(TimeProvider.System);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => directory.Dispose();

    [Fact]
    public async Task RestoreToScratchAsync_FreshDump_FingerprintsEqualAndDisposeDeletesIt()
    {
        // Given the shop database and its dump
        var database = await ShopAsync();
        var dump = await DumpAsync(database);

        // When the dump is restored into a scratch file
        string scratchPath;
        DatabaseFingerprint copy;
        await using (var file = File.OpenRead(dump))
        {
            await using var scratch = await database.RestoreToScratchAsync(file, "backup 1", Ct).WaitAsync(Limit, Ct);
            copy = await scratch.FingerprintAsync(Ct).WaitAsync(Limit, Ct);
            scratchPath = scratch.Describe().Split(' ')[1];
            Assert.True(File.Exists(scratchPath));
        }

        // Then the fingerprints are equal, every table counted, and the scratch file is gone
        var source = await database.FingerprintAsync(Ct).WaitAsync(Limit, Ct);
        Assert.Empty(source.DifferencesFrom(copy));
        Assert.Equal(source.SchemaHash, copy.SchemaHash);
        Assert.Equal(source.Tables, copy.Tables);
        Assert.Equal(["coupons", "flyway_schema_history", "orders"], source.Tables.Select(t => t.Name));
        Assert.Equal(5000, source.Tables.Single(t => t.Name == "orders").Rows);
        Assert.StartsWith("dsverify_backup_1_", Path.GetFileName(scratchPath), StringComparison.Ordinal);
        Assert.False(File.Exists(scratchPath));
    }

    [Fact]
    public async Task FingerprintAsync_OneRowChanged_DifferenceNamesTheTable()
    {
        // Given the shop's fingerprint
        var database = await ShopAsync();
        var before = await database.FingerprintAsync(Ct).WaitAsync(Limit, Ct);

        // When one row changes
        await database.ExecuteAsync("UPDATE orders SET quantity = quantity + 1 WHERE id = 4711;", inTransaction: true, Ct).WaitAsync(Limit, Ct);
        var after = await database.FingerprintAsync(Ct).WaitAsync(Limit, Ct);

        // Then only that table's checksum differs
        Assert.Equal(["table orders: row checksum differs (5000 rows each)"], before.DifferencesFrom(after));
        Assert.Equal(before.SchemaHash, after.SchemaHash);
    }

    [Fact]
    public async Task RestoreAsync_RowsDeletedAndTableDropped_BringsBackTheDumpedContent()
    {
        // Given a dump of the shop (in WAL mode), then rows deleted, a table dropped and one added
        var database = await ShopAsync("PRAGMA journal_mode = WAL;");
        var original = await database.FingerprintAsync(Ct).WaitAsync(Limit, Ct);
        var dump = await DumpAsync(database);
        await database.ExecuteAsync("DELETE FROM coupons; DELETE FROM orders WHERE id > 100;\nDROP TABLE flyway_schema_history;\nCREATE TABLE newer (x);", inTransaction: true, Ct).WaitAsync(Limit, Ct);

        // When the dump is restored
        await using (var file = File.OpenRead(dump))
        {
            await database.RestoreAsync(file, Ct).WaitAsync(Limit, Ct);
        }

        // Then the content is the dump's again, the newer table is gone, and nothing is left beside the file
        Assert.Empty(original.DifferencesFrom(await database.FingerprintAsync(Ct).WaitAsync(Limit, Ct)));
        Assert.Equal(["shop.db"], Directory.GetFiles(directory.Path).Select(Path.GetFileName).Where(name => name!.StartsWith("shop", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task RestoreAsync_NotADatabase_LeavesTheOriginalAndSaysWhy()
    {
        // Given the shop
        var database = await ShopAsync();
        var before = await database.FingerprintAsync(Ct).WaitAsync(Limit, Ct);

        // When a file that is no database is restored over it
        using var garbage = new MemoryStream(new byte[8192]);
        var error = await Assert.ThrowsAsync<DownshiftException>(() => database.RestoreAsync(garbage, Ct).WaitAsync(Limit, Ct));

        // Then the restore is refused with SQLite's reason and the original is untouched
        Assert.Equal($"restore of {database.Describe()} on 'local' failed: file is not a database", error.Message);
        Assert.Empty(before.DifferencesFrom(await database.FingerprintAsync(Ct).WaitAsync(Limit, Ct)));
        Assert.False(File.Exists(ShopPath + ".downshift-restore"));
    }

    [Fact]
    public async Task QueryAsync_TabsNewlinesUnicodeAndNull_RoundTrip()
    {
        // Given a database
        var database = await ShopAsync();

        // When a query returns awkward values
        var rows = await database.QueryAsync(
            "SELECT 'a' || char(9) || 'b', 'line 1' || char(10) || 'line 2', 'Grüße ✓ 🚀', NULL, '', 'NULL', 42, 2.5, x'00ff';",
            Ct).WaitAsync(Limit, Ct);

        // Then every value comes back, NULL as null, numbers as text, a blob as hex
        Assert.Equal([["a\tb", "line 1\nline 2", "Grüße ✓ 🚀", null, "", "NULL", "42", "2.5", "00ff"]], rows);
    }

    [Fact]
    public async Task QueryAsync_TwoStatements_ClearError()
    {
        // Given a database
        var database = await ShopAsync();

        // When a query holds two statements
        var error = await Assert.ThrowsAsync<DownshiftException>(() => database.QueryAsync("SELECT 1; SELECT 2;", Ct).WaitAsync(Limit, Ct));

        // Then SQLite's reason comes back as one line
        Assert.Equal($"query of {database.Describe()} on 'local' failed: You can only execute one statement at a time.", error.Message);
    }

    [Fact]
    public async Task ExecuteAsync_FailsMidwayInTransaction_NothingApplied()
    {
        // Given the shop's fingerprint
        var database = await ShopAsync();
        var before = await database.FingerprintAsync(Ct).WaitAsync(Limit, Ct);

        // When a migration fails at its third statement in one transaction (a trigger with ';' inside comes first)
        var result = await database.ExecuteAsync(
            "ALTER TABLE orders RENAME COLUMN quantity TO qty;\n" +
            "CREATE TRIGGER t AFTER INSERT ON coupons BEGIN UPDATE orders SET note = 'x'; DELETE FROM coupons; END;\n" +
            "-- the bad one\nINSERT INTO nosuch VALUES (1);\nDROP TABLE coupons;\n",
            inTransaction: true, Ct).WaitAsync(Limit, Ct);

        // Then the failure is a value naming the line, and the schema and data are unchanged
        Assert.False(result.Succeeded);
        Assert.Equal("line 4: no such table: nosuch", result.Error);
        Assert.Empty(before.DifferencesFrom(await database.FingerprintAsync(Ct).WaitAsync(Limit, Ct)));
    }

    [Theory]
    [InlineData("DELETE")]
    [InlineData("WAL")]
    public async Task DumpAsync_WhileAnotherProcessWrites_ConsistentCopy(string journalMode)
    {
        // Given a database that another process keeps writing to, as an application would (a transaction
        // every millisecond or so, each adding a row to both a and b)
        var database = await ShopAsync($"PRAGMA journal_mode = {journalMode}; CREATE TABLE a (n INTEGER); CREATE TABLE b (n INTEGER);");
        await using var writer = await CliRunner.StartProcessAsync("/usr/bin/python3", ["-c", """
            import sqlite3, sys, time
            db = sqlite3.connect(sys.argv[1], timeout=30, isolation_level=None)
            i = 0
            while True:
                db.execute("BEGIN IMMEDIATE")
                db.execute("INSERT INTO a VALUES (?)", (i,))
                db.execute("INSERT INTO b VALUES (?)", (i,))
                db.execute("COMMIT")
                i += 1
                if i == 20:
                    print("writing", flush=True)
                time.sleep(0.001)
            """, ShopPath], timeout: TimeSpan.FromMinutes(2));
        await writer.WaitForOutputAsync("writing", Limit, Ct);

        // When dumps are taken while it writes and restored into scratch files (each integrity-checked)
        var counts = new List<(long A, long B)>();
        for (var i = 0; i < 3; i++)
        {
            await using var file = File.OpenRead(await DumpAsync(database));
            await using var scratch = await database.RestoreToScratchAsync(file, $"busy {i}", Ct).WaitAsync(Limit, Ct);
            var tables = (await scratch.FingerprintAsync(Ct).WaitAsync(Limit, Ct)).Tables.ToDictionary(t => t.Name, t => t.Rows);
            counts.Add((tables["a"], tables["b"]));
        }

        // Then every copy holds whole transactions only, and the writer was still writing
        Assert.All(counts, count => Assert.Equal(count.A, count.B));
        Assert.All(counts, count => Assert.True(count.A >= 20));
        Assert.False(writer.HasExited, writer.Stderr);
    }

    [Fact]
    public async Task FingerprintAsync_FileMissing_ClearError()
    {
        // Given a path where there is no file
        var database = Sqlite(directory.Combine("nosuch.db"));

        // When
        var error = await Assert.ThrowsAsync<DownshiftException>(() => database.FingerprintAsync(Ct).WaitAsync(Limit, Ct));

        // Then one line names the file and the host, and no empty database was created
        Assert.Equal($"sqlite {directory.Combine("nosuch.db")} on 'local' cannot be used: no database file {directory.Combine("nosuch.db")}", error.Message);
        Assert.False(File.Exists(directory.Combine("nosuch.db")));
    }

    [Fact]
    public async Task RestoreToScratchAsync_NotADatabase_ClearErrorAndNothingLeft()
    {
        // Given the shop
        var database = await ShopAsync();

        // When garbage is restored into a scratch copy
        using var garbage = new MemoryStream(new byte[8192]);
        var error = await Assert.ThrowsAsync<DownshiftException>(() => database.RestoreToScratchAsync(garbage, "bad", Ct).WaitAsync(Limit, Ct));

        // Then
        Assert.Equal($"restore into scratch copy of {database.Describe()} on 'local' failed: file is not a database", error.Message);
    }

    private string ShopPath => directory.Combine("shop.db");

    private IDatabase Sqlite(string path) => new DatabaseTarget { Engine = DatabaseTarget.Sqlite, Path = path }.Open(host);

    private async Task<IDatabase> ShopAsync(string extra = "")
    {
        var result = await CliRunner.RunProcessAsync(
            "/usr/bin/python3",
            ["-c", "import sqlite3, sys\ndb = sqlite3.connect(sys.argv[1])\ndb.executescript(sys.argv[2])\ndb.close()", ShopPath, extra + Shop],
            timeout: Limit, cancellationToken: Ct);
        Assert.True(result.ExitCode == 0, result.ToString());
        return Sqlite(ShopPath);
    }

    private async Task<string> DumpAsync(IDatabase database)
    {
        var path = directory.Combine($"{Guid.NewGuid():N}.dump");
        await using var file = File.Create(path);
        await database.DumpAsync(file, Ct).WaitAsync(Limit, Ct);
        return path;
    }
}
