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

    [Fact]
    public void Applied_DeleteRowsAndBaselines_FollowFlyway()
    {
        // Given a baseline at 2.0, 2.1 applied, then 2.3 applied and removed by repair (DELETE)
        var history = new SchemaHistory("h", [Row(1, "2.0", "BASELINE"), Row(2, "2.1"), Row(3, "2.3"), Row(4, "2.3", "DELETE")]);
        var scripts = new MigrationSet("/m", [MigrationScript.Create("V1_0__init.sql", "CREATE TABLE a (i int);", null), MigrationScript.Create("V2_1__b.sql", "CREATE TABLE b (i int);", null)]);

        // Then the schema is at 2.1, and V1_0 (below the baseline) counts as applied: no path re-runs it
        Assert.Equal("2.1", history.CurrentText);
        Assert.Empty(scripts.PathTo(history.AppliedWith(scripts), SchemaVersion.Parse("2.1")));
    }
}

