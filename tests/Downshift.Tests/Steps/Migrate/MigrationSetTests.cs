using Downshift.Steps.Migrate.Internal;

namespace Downshift.Tests.Steps.Migrate;

public sealed class MigrationSetTests
{
    private static readonly MigrationSet Shop = new("/m",
    [
        MigrationScript.Create("V2_1__orders.sql", "CREATE TABLE orders (id int);", null),
        MigrationScript.Create("V2_3__coupons.sql", "CREATE TABLE coupons (c text);", null),
        MigrationScript.Create("V2_4__notes.sql", "ALTER TABLE orders ADD note text;", null),
        MigrationScript.Create("U2_3__coupons.sql", "DROP TABLE coupons;", null),
        MigrationScript.Create("U2_4__notes.sql", "ALTER TABLE orders DROP COLUMN note;", null),
    ]);

    private static SchemaVersion V(string text) => SchemaVersion.Parse(text);

    [Fact]
    public void PathTo_Down_RunsUndoScriptsNewestFirst()
    {
        // Given a schema at 2.4 (2.1, 2.3, 2.4 applied)
        // When the path down to 2.1 is asked
        var path = Shop.PathTo([V("2.1"), V("2.3"), V("2.4")], V("2.1"));

        // Then 2.4's undo runs before 2.3's
        Assert.Equal(["U2_4__notes.sql", "U2_3__coupons.sql"], path.Select(s => s.FileName));
    }

    [Fact]
    public void PathTo_Up_RunsMissingUpScriptsOldestFirst()
    {
        // Given a schema at 2.1, when the path up to 2.4 is asked, then 2.3 then 2.4
        var path = Shop.PathTo([V("2.1")], V("2.4"));
        Assert.Equal(["V2_3__coupons.sql", "V2_4__notes.sql"], path.Select(s => s.FileName));
    }

    [Fact]
    public void PathTo_AtTarget_IsEmpty() => Assert.Empty(Shop.PathTo([V("2.1"), V("2_3")], V("2.3")));

    [Fact]
    public void PathTo_MissingUndoScript_NamesIt()
    {
        // Given no undo script for 2.1, when the path down to 2.0 is asked
        var error = Assert.Throws<DownshiftException>(() => Shop.PathTo([V("2.1"), V("2.3")], V("2.0")));

        // Then the missing script is named
        Assert.Contains("U2_1__*.sql (the undo of 2.1)", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void SchemaVersion_ComparesNumericallyPartByPart()
    {
        Assert.True(V("2.10") > V("2.9"));
        Assert.Equal(V("2.1"), V("2_1.0"));
        Assert.False(SchemaVersion.TryParse("2.x", out _));
    }
}
