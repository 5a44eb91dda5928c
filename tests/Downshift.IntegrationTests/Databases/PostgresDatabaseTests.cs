using Downshift.Databases;
using Downshift.Hosts;
using Downshift.IntegrationTests.TestSupport;

namespace Downshift.IntegrationTests.Databases;

/// <summary>
/// <see cref="PostgresDatabase"/> against a real private PostgreSQL cluster, through
/// <see cref="LocalTransport"/>: psql, pg_dump and pg_restore run as they would on a host.
/// Each test works in a database of its own.
/// </summary>
public sealed class PostgresDatabaseTests(PostgresServer server) : IClassFixture<PostgresServer>, IDisposable
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(60);

    /// <summary>A shop at schema 2.3: two schemas, a view, an index, a foreign key, Flyway's history, 20,000 orders.</summary>
    private const string Shop = """
        CREATE TABLE public.orders (
            id serial PRIMARY KEY,
            customer text NOT NULL,
            quantity int NOT NULL DEFAULT 1,
            note text,
            placed timestamptz NOT NULL DEFAULT '2025-01-01 10:00+00');
        CREATE INDEX orders_customer ON public.orders (customer);
        CREATE SCHEMA app;
        CREATE TABLE app.coupons (
            code text PRIMARY KEY,
            order_id int REFERENCES public.orders (id),
            percent numeric(5,2) CHECK (percent > 0));
        CREATE TABLE public.flyway_schema_history (
            installed_rank int PRIMARY KEY,
            version varchar(50),
            description varchar(200) NOT NULL,
            success boolean NOT NULL);
        CREATE VIEW public.big_orders AS SELECT * FROM public.orders WHERE quantity > 5;
        INSERT INTO public.orders (customer, quantity, note)
            SELECT 'c' || (i % 100), i % 10 + 1, CASE WHEN i % 7 = 0 THEN NULL ELSE E'note\t' || i END
            FROM generate_series(1, 20000) AS i;
        INSERT INTO app.coupons VALUES ('SAVE10', 1, 10), ('ÜBER', 2, 12.5);
        INSERT INTO public.flyway_schema_history VALUES (1, '2.1', 'orders', true), (2, '2.3', 'coupons', true);
        """;

    private readonly TempDirectory directory = new("downshift-pg-dumps-");
    private readonly CountingTransport host = new(new LocalTransport(TimeProvider.System));

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => directory.Dispose();

    [Fact]
    public async Task RestoreToScratchAsync_FreshDump_FingerprintsEqualAndDisposeDropsIt()
    {
        // Given the shop database and its dump (streamed to a file)
        var database = await ShopAsync();
        var dump = await DumpAsync(database);

        // When the dump is restored into a scratch database beside it
        string scratchName;
        DatabaseFingerprint copy;
        await using (var file = File.OpenRead(dump))
        {
            await using var scratch = await database.RestoreToScratchAsync(file, "backup 1/shop", Ct).WaitAsync(Limit, Ct);
            copy = await scratch.FingerprintAsync(Ct).WaitAsync(Limit, Ct);
            scratchName = scratch.Describe().Split('\'')[1];
        }

        // Then the copy's fingerprint equals the source's, every table counted, and the scratch database is gone
        var source = await database.FingerprintAsync(Ct).WaitAsync(Limit, Ct);
        Assert.Empty(source.DifferencesFrom(copy));
        Assert.Equal(source.SchemaHash, copy.SchemaHash);
        Assert.Equal(source.Tables, copy.Tables);
        Assert.Equal(["app.coupons", "public.flyway_schema_history", "public.orders"], source.Tables.Select(t => t.Name));
        Assert.Equal(20000, source.Tables.Single(t => t.Name == "public.orders").Rows);
        Assert.StartsWith("dsverify_backup_1_shop_", scratchName, StringComparison.Ordinal);
        Assert.Equal("0", await server.PsqlAsync("postgres", $"SELECT count(*) FROM pg_database WHERE datname = '{scratchName}'", Ct).WaitAsync(Limit, Ct));
    }

    [Fact]
    public async Task FingerprintAsync_OneRowChanged_DifferenceNamesTheTable()
    {
        // Given the shop's fingerprint
        var database = await ShopAsync();
        var before = await database.FingerprintAsync(Ct).WaitAsync(Limit, Ct);
        host.Take();

        // When one row changes
        await database.ExecuteAsync("UPDATE public.orders SET quantity = quantity + 1 WHERE id = 4711;", inTransaction: true, Ct).WaitAsync(Limit, Ct);
        var after = await database.FingerprintAsync(Ct).WaitAsync(Limit, Ct);

        // Then only that table's checksum differs, and the fingerprint took one command on the host
        Assert.Equal(["table public.orders: row checksum differs (20000 rows each)"], before.DifferencesFrom(after));
        Assert.Equal(before.SchemaHash, after.SchemaHash);
        Assert.Equal(2, host.Take());
    }

    [Fact]
    public async Task FingerprintAsync_ColumnAdded_SchemaHashDiffers()
    {
        // Given the shop's fingerprint
        var database = await ShopAsync();
        var before = await database.FingerprintAsync(Ct).WaitAsync(Limit, Ct);

        // When a column is added
        await database.ExecuteAsync("ALTER TABLE app.coupons ADD COLUMN expires date;", inTransaction: true, Ct).WaitAsync(Limit, Ct);

        // Then the schema hash differs
        var after = await database.FingerprintAsync(Ct).WaitAsync(Limit, Ct);
        Assert.NotEqual(before.SchemaHash, after.SchemaHash);
    }

    [Fact]
    public async Task RestoreAsync_RowsDeletedAndTableDropped_BringsBackTheDumpedContent()
    {
        // Given a dump of the shop, then rows deleted, a table dropped and a table added (a newer migration)
        var database = await ShopAsync();
        var original = await database.FingerprintAsync(Ct).WaitAsync(Limit, Ct);
        var dump = await DumpAsync(database);
        await server.PsqlAsync(database.Describe().Split('\'')[1],
            "DELETE FROM app.coupons; DELETE FROM public.orders WHERE id > 100; DROP TABLE public.flyway_schema_history; CREATE TABLE public.newer (x int);", Ct).WaitAsync(Limit, Ct);

        // When the dump is restored
        await using (var file = File.OpenRead(dump))
        {
            await database.RestoreAsync(file, Ct).WaitAsync(Limit, Ct);
        }

        // Then the content is the dump's again, and the newer table is gone
        var restored = await database.FingerprintAsync(Ct).WaitAsync(Limit, Ct);
        Assert.Empty(original.DifferencesFrom(restored));
        Assert.Equal([["0"]], await database.QueryAsync("SELECT count(*) FROM pg_tables WHERE tablename = 'newer'", Ct).WaitAsync(Limit, Ct));
    }

    [Fact]
    public async Task RestoreAsync_TruncatedDump_LeavesTheDatabaseAsItWas()
    {
        // Given the shop and the first half of a dump of it
        var database = await ShopAsync();
        var before = await database.FingerprintAsync(Ct).WaitAsync(Limit, Ct);
        var whole = await File.ReadAllBytesAsync(await DumpAsync(database), Ct);

        // When that half is restored
        using var half = new MemoryStream(whole[..(whole.Length / 2)]);
        var error = await Assert.ThrowsAsync<DownshiftException>(() => database.RestoreAsync(half, Ct).WaitAsync(Limit, Ct));

        // Then the restore fails with pg_restore's reason and nothing changed
        Assert.StartsWith($"restore of {database.Describe()} on 'local' failed: ", error.Message, StringComparison.Ordinal);
        Assert.Empty(before.DifferencesFrom(await database.FingerprintAsync(Ct).WaitAsync(Limit, Ct)));
    }

    [Fact]
    public async Task QueryAsync_TabsNewlinesUnicodeAndNull_RoundTrip()
    {
        // Given a database
        var database = await ShopAsync();

        // When a query returns awkward values
        var rows = await database.QueryAsync(
            "SELECT E'a\\tb', E'line 1\\nline 2\\r\\n', 'Grüße ✓ 🚀', NULL, '', E'back\\\\slash', 42 UNION ALL SELECT 'x', 'y', 'z', 'NULL', '\\N', '', 0;",
            Ct).WaitAsync(Limit, Ct);

        // Then every value comes back exactly, NULL as null and the text 'NULL' as text
        Assert.Equal(
            [
                ["a\tb", "line 1\nline 2\r\n", "Grüße ✓ 🚀", null, "", "back\\slash", "42"],
                ["x", "y", "z", "NULL", "\\N", "", "0"],
            ],
            rows);
    }

    [Fact]
    public async Task ExecuteAsync_FailsMidwayInTransaction_NothingApplied()
    {
        // Given the shop's fingerprint
        var database = await ShopAsync();
        var before = await database.FingerprintAsync(Ct).WaitAsync(Limit, Ct);

        // When a migration fails at its third statement in one transaction
        var result = await database.ExecuteAsync(
            "ALTER TABLE public.orders RENAME COLUMN quantity TO qty;\nCREATE TABLE public.audit (id int);\nSELECT 1/0;\nDROP TABLE app.coupons;\n",
            inTransaction: true, Ct).WaitAsync(Limit, Ct);

        // Then the failure is a value naming the line, and the schema and data are unchanged
        Assert.False(result.Succeeded);
        Assert.StartsWith("line 3: ERROR: division by zero", result.Error, StringComparison.Ordinal);
        Assert.Empty(before.DifferencesFrom(await database.FingerprintAsync(Ct).WaitAsync(Limit, Ct)));
    }

    [Fact]
    public async Task ExecuteAsync_FailsMidwayWithoutTransaction_KeepsWhatRanBefore()
    {
        // Given a database
        var database = await ShopAsync();

        // When a script without a transaction fails at its second statement
        var result = await database.ExecuteAsync("CREATE TABLE public.first (id int);\nINSERT INTO nosuch VALUES (1);\nCREATE TABLE public.third (id int);", inTransaction: false, Ct).WaitAsync(Limit, Ct);

        // Then the first statement stays and the third never ran
        Assert.False(result.Succeeded);
        Assert.Contains("line 2: ERROR: relation \"nosuch\" does not exist", result.Error, StringComparison.Ordinal);
        Assert.Equal([["first"]], await database.QueryAsync("SELECT tablename FROM pg_tables WHERE tablename IN ('first', 'third')", Ct).WaitAsync(Limit, Ct));
    }

    [Fact]
    public async Task QueryAsync_RunAsPostgresOverTheSocket_Works()
    {
        // Given the database reached over the socket, the tools run as the postgres OS user
        var name = await server.CreateDatabaseAsync("socket", "CREATE TABLE t (x int); INSERT INTO t VALUES (1), (2);", Ct).WaitAsync(Limit, Ct);
        var database = server.Socket(name).Open(host);

        // When
        var rows = await database.QueryAsync("SELECT current_user, sum(x) FROM t", Ct).WaitAsync(Limit, Ct);

        // Then
        Assert.Equal([["postgres", "3"]], rows);
    }

    [Fact]
    public async Task FingerprintAsync_WrongPassword_ClearErrorNamingDatabaseAndHost()
    {
        // Given the shop with a password variable that holds the wrong password
        var name = await server.CreateDatabaseAsync("shop", "SELECT 1", Ct).WaitAsync(Limit, Ct);
        var database = (server.Tcp(name) with { PasswordEnv = PostgresServer.WrongPasswordVariable }).Open(host);

        // When
        var error = await Assert.ThrowsAsync<DownshiftException>(() => database.FingerprintAsync(Ct).WaitAsync(Limit, Ct));

        // Then one line says which database, which host and why; the password never shows
        Assert.Equal(
            $"postgresql database '{name}' on 'local' cannot be used: password authentication failed for user \"postgres\" (check 'user' and the password in 'password-env')",
            error.Message);
        Assert.False(error.IsTransient);
        Assert.DoesNotContain(host.Commands, command => command.Contains("not-the-password", StringComparison.Ordinal));
    }

    [Fact]
    public async Task QueryAsync_DatabaseMissing_ClearError()
    {
        // Given a database that does not exist
        var database = server.Tcp("nosuch").Open(host);

        // When
        var error = await Assert.ThrowsAsync<DownshiftException>(() => database.QueryAsync("SELECT 1", Ct).WaitAsync(Limit, Ct));

        // Then
        Assert.Equal("postgresql database 'nosuch' on 'local' cannot be used: database \"nosuch\" does not exist", error.Message);
    }

    [Fact]
    public async Task DumpAsync_ClientToolsMissing_ClearError()
    {
        // Given a host where the PostgreSQL client tools are not on PATH
        var database = server.Tcp("shop").Open(new WithoutPath(host));

        // When
        var error = await Assert.ThrowsAsync<DownshiftException>(() => database.DumpAsync(Stream.Null, Ct).WaitAsync(Limit, Ct));

        // Then
        Assert.Equal("postgresql database 'shop' on 'local' cannot be used: pg_dump is not installed on the host (PostgreSQL's client tools, package postgresql-client)", error.Message);
    }

    private async Task<IDatabase> ShopAsync() =>
        server.Tcp(await server.CreateDatabaseAsync("shop", Shop, Ct).WaitAsync(Limit, Ct)).Open(host);

    private async Task<string> DumpAsync(IDatabase database)
    {
        var path = directory.Combine($"{Guid.NewGuid():N}.dump");
        await using var file = File.Create(path);
        await database.DumpAsync(file, Ct).WaitAsync(Limit, Ct);
        return path;
    }

    /// <summary>A host whose PATH holds nothing: every tool is missing.</summary>
    private sealed class WithoutPath(IHostTransport inner) : IHostTransport
    {
        public string HostName => inner.HostName;

        public Task<CommandResult> RunAsync(HostCommand command, CancellationToken cancellationToken) =>
            inner.RunAsync(command with { Script = "PATH=/nonexistent\n" + command.Script }, cancellationToken);

        public ValueTask DisposeAsync() => inner.DisposeAsync();
    }
}
