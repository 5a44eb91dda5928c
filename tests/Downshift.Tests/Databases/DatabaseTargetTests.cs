using Downshift.Databases;
using Downshift.Hosts;

namespace Downshift.Tests.Databases;

public sealed class DatabaseTargetTests
{
    private static readonly DatabaseTarget Postgres = new() { Engine = DatabaseTarget.PostgreSql, Name = "shop", User = "shop", PasswordEnv = "SHOP_DB_PASSWORD", RunAs = "postgres", Port = 5432 };
    private static readonly DatabaseTarget Sqlite = new() { Engine = DatabaseTarget.Sqlite, Path = "/var/lib/shop/orders.db" };

    [Fact]
    public void Describe_EachEngine_OneLineNamingTheDatabase()
    {
        // Given / When / Then
        Assert.Equal("postgresql database 'shop'", Postgres.Describe());
        Assert.Equal("sqlite /var/lib/shop/orders.db", Sqlite.Describe());
    }

    [Fact]
    public void Validate_CompleteTargets_NoProblems()
    {
        // Given complete targets of both engines
        // When / Then
        Assert.Empty(Postgres.Validate());
        Assert.Empty(Sqlite.Validate());
    }

    [Fact]
    public void Validate_PostgresWithoutNameAndWithSqliteKeys_ReportsEveryProblem()
    {
        // Given a PostgreSQL target without a name, with a bad port, variable and user, and a path
        var target = Postgres with { Name = " ", Port = 70000, PasswordEnv = "SHOP-PW", RunAs = "post gres", Path = "/x.db" };

        // When
        var problems = target.Validate();

        // Then every problem is reported, not only the first
        Assert.Equal(
            [
                "a postgresql database needs 'name'",
                "'port' 70000 is not a TCP port (1-65535)",
                "'password-env' 'SHOP-PW' is not an environment variable's name",
                "'run-as' 'post gres' is not a user name",
                "'path' is for sqlite databases",
            ],
            problems);
    }

    [Fact]
    public void Validate_SqliteWithRelativePathAndPostgresKeys_ReportsEveryProblem()
    {
        // Given a SQLite target with a relative path and PostgreSQL's keys
        var target = Sqlite with { Path = "orders.db", Name = "shop", PasswordEnv = "PW" };

        // When / Then
        Assert.Equal(
            ["'path' 'orders.db' is not absolute", "'name' is for postgresql databases", "'password-env' is for postgresql databases"],
            target.Validate());
    }

    [Theory]
    [InlineData("", "a database needs 'engine' (postgresql or sqlite)")]
    [InlineData("mysql", "unknown database engine 'mysql' (postgresql or sqlite)")]
    public void Validate_MissingOrUnknownEngine_Reported(string engine, string expected) =>
        Assert.Equal([expected], new DatabaseTarget { Engine = engine }.Validate());

    [Fact]
    public async Task Open_EachEngine_ThatEnginesDatabase()
    {
        // Given a host
        await using var host = new LocalTransport(TimeProvider.System);

        // When / Then
        Assert.IsType<PostgresDatabase>(Postgres.Open(host));
        Assert.IsType<SqliteDatabase>(Sqlite.Open(host));
        Assert.Equal(DatabaseTarget.Sqlite, Sqlite.Open(host).Engine);
    }

    [Fact]
    public async Task Open_InvalidTarget_ThrowsWithTheProblems()
    {
        // Given a host and a SQLite target without a path
        await using var host = new LocalTransport(TimeProvider.System);

        // When
        var error = Assert.Throws<DownshiftException>(() => (Sqlite with { Path = null }).Open(host));

        // Then
        Assert.Equal("invalid database target: a sqlite database needs 'path'", error.Message);
    }
}
