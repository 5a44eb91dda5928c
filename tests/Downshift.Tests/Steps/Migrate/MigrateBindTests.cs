using Downshift.Steps.Migrate;
using Downshift.Tests.TestSupport;

namespace Downshift.Tests.Steps.Migrate;

public sealed class MigrateBindTests
{
    [Fact]
    public void Bind_ShopPlanStep_ReadsDatabaseChecksAndRestoreBackup()
    {
        // Given the shop's migrate step
        var reader = new DictionaryOptionsReader(new()
        {
            ["database"] = new Dictionary<string, string> { ["engine"] = "postgresql", ["name"] = "shop", ["run-as"] = "postgres" },
            ["scripts"] = "../db/migrations",
            ["to"] = "2.1",
            ["checks"] = new List<IReadOnlyDictionary<string, string>>
            {
                new Dictionary<string, string> { ["name"] = "no order lost", ["sql"] = "select count(*) from orders", ["expect"] = "same" },
                new Dictionary<string, string> { ["sql"] = "select count(*) from orders where item is null", ["expect"] = "0" },
            },
            ["undo-with"] = "restore-backup",
            ["backup"] = "backup-shop",
        });

        // When bound
        var options = Assert.IsType<MigrateOptions>(new MigrateStepKind().Bind(reader));

        // Then everything is read, an unnamed check is named by its SQL
        Assert.Empty(reader.Errors);
        Assert.Equal("shop", options.Database.Name);
        Assert.Equal(MigrateUndo.RestoreBackup, options.UndoWith);
        Assert.Equal("backup-shop", options.BackupStep);
        Assert.Equal(2, options.Checks.Count);
        Assert.Equal("select count(*) from orders where item is null", options.Checks[1].Name);
        Assert.Equal(MigrateDefaults.HistoryTable, options.HistoryTable);
    }

    [Fact]
    public void Bind_BadValues_ReportsEveryOne()
    {
        // Given a bad version, restore-backup without its backup step, a history table with SQL in it,
        // a database map with an unknown key and a check without sql
        var reader = new DictionaryOptionsReader(new()
        {
            ["database"] = new Dictionary<string, string> { ["engine"] = "postgresql", ["name"] = "shop", ["pasword-env"] = "X" },
            ["scripts"] = "m",
            ["to"] = "two",
            ["history-table"] = "h; drop table orders",
            ["checks"] = new List<IReadOnlyDictionary<string, string>> { new Dictionary<string, string> { ["name"] = "x" } },
            ["undo-with"] = "restore-backup",
        });

        // When bound
        Assert.Null(new MigrateStepKind().Bind(reader));

        // Then each problem is reported
        Assert.Contains(reader.Errors, e => e.StartsWith("to:", StringComparison.Ordinal));
        Assert.Contains(reader.Errors, e => e.StartsWith("history-table:", StringComparison.Ordinal));
        Assert.Contains(reader.Errors, e => e.StartsWith("undo-with:", StringComparison.Ordinal));
        Assert.Contains(reader.Errors, e => e.Contains("unknown key 'pasword-env'", StringComparison.Ordinal));
        Assert.Contains(reader.Errors, e => e.Contains("checks[0] needs 'sql'", StringComparison.Ordinal));
    }
}
