using Downshift.Databases;
using Downshift.Databases.Internal;
using Downshift.Hosts;

namespace Downshift.Tests.Databases;

public sealed class SqliteClientTests : IAsyncDisposable
{
    private readonly LocalTransport host = new(TimeProvider.System);
    private readonly SqliteClient client;

    public SqliteClientTests() =>
        client = new SqliteClient(new DatabaseTarget { Engine = DatabaseTarget.Sqlite, Path = "/var/lib/shop/orders.db" }, host);

    public ValueTask DisposeAsync() => host.DisposeAsync();

    [Fact]
    public void Error_Python3Missing_SaysWhatToInstall()
    {
        // Given sh's answer on a host without python3
        var result = new CommandResult(127, [], "sh: 1: exec: python3: not found\n", TimeSpan.Zero);

        // When
        var error = client.Error("dump", result);

        // Then
        Assert.Equal(
            "sqlite /var/lib/shop/orders.db on 'local' cannot be used: python3 is not installed on the host (SQLite databases are read with python3's sqlite3 module)",
            error.Message);
        Assert.Equal(DownshiftErrorKind.Host, error.Kind);
    }

    [Fact]
    public void Error_SqliteError_OperationFailedWithSqlitesMessage()
    {
        // Given the helper's answer for an SQLite error
        var result = new CommandResult(SqliteProgram.SqliteError, [], "database is locked\n", TimeSpan.Zero);

        // When / Then
        Assert.Equal("fingerprint of sqlite /var/lib/shop/orders.db on 'local' failed: database is locked", client.Error("fingerprint", result).Message);
    }
}
