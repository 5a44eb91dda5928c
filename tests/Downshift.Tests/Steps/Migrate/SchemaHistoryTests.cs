using Downshift.Steps.Migrate.Internal;

namespace Downshift.Tests.Steps.Migrate;

public sealed class SchemaHistoryTests
{
    private static SchemaHistory.Row Row(int rank, string version, string type = "SQL", bool success = true) =>
        new(rank, SchemaVersion.Parse(version), type, $"{rank}.sql", null, success);

    [Fact]
    public void Current_UndoRows_TakeVersionsBack()
    {
        // Given 2.1 and 2.3 applied, 2.3 undone, then re-applied and undone again
        var history = new SchemaHistory("h", [Row(1, "2.1"), Row(2, "2.3"), Row(3, "2.3", "UNDO_SQL"), Row(4, "2.3"), Row(5, "2.3", "UNDO_SQL")]);

        // Then the schema is at 2.1
        Assert.Equal("2.1", history.CurrentText);
        Assert.Null(history.Failed);
    }

    [Fact]
    public void Failed_UnsuccessfulRow_IsReportedAndDoesNotApply()
    {
        var history = new SchemaHistory("h", [Row(1, "2.1"), Row(2, "2.3", success: false)]);
        Assert.Equal("2.1", history.CurrentText);
        Assert.Equal(2, history.Failed?.Rank);
    }

    [Fact]
    public void InsertSql_QuotesValuesAndNumbersTheNextRank()
    {
        // Given a script whose description holds a quote
        var script = MigrationScript.Create("U2_3__o'brien.sql", "DROP TABLE x;", null);

        // When its history row is written
        var sql = new SchemaHistory("flyway_schema_history", []).InsertSql(script, "downshift run-1", "sqlite");

        // Then the quote is doubled and the rank follows the table's highest
        Assert.Contains("'o''brien'", sql, StringComparison.Ordinal);
        Assert.Contains("(SELECT coalesce(max(installed_rank), 0) + 1 FROM flyway_schema_history)", sql, StringComparison.Ordinal);
        Assert.Contains("'UNDO_SQL'", sql, StringComparison.Ordinal);
    }
}
