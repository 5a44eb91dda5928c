using Downshift.Databases.Internal;
using Downshift.Hosts;

namespace Downshift.Tests.Databases;

/// <summary>What psql 15 and runuser print (copied from real runs), turned into one clear line.</summary>
public sealed class PostgresErrorsTests
{
    private const string Database = "postgresql database 'shop'";

    [Theory]
    [InlineData(
        "psql: error: connection to server at \"127.0.0.1\", port 5432 failed: FATAL:  password authentication failed for user \"shop\"",
        "password authentication failed for user \"shop\" (check 'user' and the password in 'password-env')", false)]
    [InlineData(
        "psql: error: connection to server at \"127.0.0.1\", port 5432 failed: fe_sendauth: no password supplied",
        "the server wants a password and none was given (set 'password-env')", false)]
    [InlineData(
        "pg_dump: error: connection to server at \"127.0.0.1\", port 5432 failed: FATAL:  database \"nope\" does not exist",
        "database \"nope\" does not exist", false)]
    [InlineData(
        "psql: error: connection to server at \"127.0.0.1\", port 1 failed: Connection refused\n\tIs the server running on that host and accepting TCP/IP connections?",
        "no PostgreSQL server answers: Connection refused Is the server running on that host and accepting TCP/IP connections?", true)]
    [InlineData(
        "psql: error: connection to server on socket \"/var/run/postgresql/.s.PGSQL.5432\" failed: FATAL:  Peer authentication failed for user \"shop\"",
        "Peer authentication failed for user \"shop\" (set 'run-as' to the OS user of that role, or log in over TCP with a password)", false)]
    [InlineData(
        "runuser: user pgsql does not exist or the user entry does not contain all the required fields",
        "the run-as user 'pgsql' does not exist on the host", false)]
    public void From_ConnectionOrLoginFailure_DatabaseUnavailable(string stderr, string detail, bool transient)
    {
        // Given a client tool that could not use the database
        var result = new CommandResult(2, [], stderr, TimeSpan.Zero);

        // When
        var error = PostgresErrors.From(Database, "db1", "dump", result);

        // Then
        Assert.Equal($"{Database} on 'db1' cannot be used: {detail}", error.Message);
        Assert.Equal(transient, error.IsTransient);
        Assert.Equal(DownshiftErrorKind.Host, error.Kind);
    }

    [Fact]
    public void From_ToolMissing_NamesTheTool()
    {
        // Given bash's answer for a missing tool
        var result = new CommandResult(127, [], "bash: line 3: pg_restore: command not found\n", TimeSpan.Zero);

        // When / Then
        Assert.Equal(
            $"{Database} on 'db1' cannot be used: pg_restore is not installed on the host (PostgreSQL's client tools, package postgresql-client)",
            PostgresErrors.From(Database, "db1", "restore", result).Message);
    }

    [Fact]
    public void From_StatementError_OperationFailedWithTheLine()
    {
        // Given psql's answer for a failing statement
        var result = new CommandResult(3, [], "psql:<stdin>:2: ERROR:  permission denied for table orders\n", TimeSpan.Zero);

        // When / Then
        Assert.Equal(
            $"query of {Database} on 'db1' failed: line 2: ERROR: permission denied for table orders",
            PostgresErrors.From(Database, "db1", "query", result).Message);
    }

    [Fact]
    public void From_RestoreFailedAfterNotices_OnlyTheReason()
    {
        // Given a restore whose dump was cut short, after the drops had sent their notices
        var result = new CommandResult(1, [], "psql:<stdin>:26: NOTICE:  drop cascades to table t\npg_restore: error: input file is too short (read 0, expected 5)\n", TimeSpan.Zero);

        // When / Then
        Assert.Equal(
            $"restore of {Database} on 'db1' failed: pg_restore: error: input file is too short (read 0, expected 5)",
            PostgresErrors.From(Database, "db1", "restore", result).Message);
    }

    [Fact]
    public void StatementError_WithDetailAndCaret_KeepsPsqlsExtraLines()
    {
        // Given psql's answer with LINE and the caret under the error, then a notice from a later statement
        const string stderr = "psql:<stdin>:3: ERROR:  syntax error at or near \"SELEC\"\nLINE 1: SELEC 1;\n        ^\npsql:<stdin>:9: NOTICE:  later\n";

        // When / Then
        Assert.Equal("line 3: ERROR: syntax error at or near \"SELEC\"\nLINE 1: SELEC 1;\n        ^", PostgresErrors.StatementError(stderr));
    }

    [Fact]
    public void StatementError_NoError_Null() =>
        Assert.Null(PostgresErrors.StatementError("psql:<stdin>:1: NOTICE:  table \"x\" does not exist, skipping\n"));
}
