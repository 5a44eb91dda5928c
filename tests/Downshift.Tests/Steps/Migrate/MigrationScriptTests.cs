using Downshift.Steps.Migrate.Internal;

namespace Downshift.Tests.Steps.Migrate;

public sealed class MigrationScriptTests
{
    [Theory]
    [InlineData("V2_3__add_coupons.sql", "2.3", false, "add coupons")]
    [InlineData("U2_3__add_coupons.sql", "2.3", true, "add coupons")]
    [InlineData("V10.0.1__big.sql", "10.0.1", false, "big")]
    public void ParseName_FlywayNames_ReadsVersionKindAndDescription(string name, string version, bool isUndo, string description)
    {
        // When a Flyway file name is parsed
        var parsed = MigrationScript.ParseName(name);

        // Then version, prefix and description come out
        Assert.NotNull(parsed);
        Assert.Equal(version, parsed.Value.Version.ToString());
        Assert.Equal(isUndo, parsed.Value.IsUndo);
        Assert.Equal(description, parsed.Value.Description);
    }

    [Theory]
    [InlineData("R__views.sql")]
    [InlineData("V2_3_add.sql")]
    [InlineData("notes.sql")]
    [InlineData("V__x.sql")]
    public void ParseName_OtherFiles_AreNotScripts(string name) => Assert.Null(MigrationScript.ParseName(name));

    [Fact]
    public void FlywayChecksum_KnownInput_MatchesJavaCrc32OverLines()
    {
        // Given two lines (java.util.zip.CRC32 over "ab" then "c" equals CRC32 of "abc": 0x352441C2)
        // When checksummed the way Flyway does (line by line, line ends dropped)
        var checksum = MigrationScript.FlywayChecksum("ab\r\nc\n");

        // Then it is the CRC-32 of the lines' bytes, as a signed int
        Assert.Equal(unchecked((int)0x352441C2u), checksum);
    }

    [Fact]
    public void Create_ConcurrentIndexOrConfFile_IsNotTransactional()
    {
        Assert.False(MigrationScript.Create("V3__idx.sql", "CREATE INDEX CONCURRENTLY i ON t (c);", null).InTransaction);
        Assert.False(MigrationScript.Create("V3__x.sql", "UPDATE t SET c = 1;", "executeInTransaction=false\n").InTransaction);
        Assert.True(MigrationScript.Create("V3__x.sql", "-- not CONCURRENTLY, a comment\nUPDATE t SET c = 1;", null).InTransaction);
    }

    [Fact]
    public void DataLoss_DropsAndDeletes_AreNamedAndRenamesAreNot()
    {
        // Given the shop's undo of 2.3 (a rename and a DROP TABLE)
        var script = MigrationScript.Create("U2_3__c.sql", "-- drops coupons\nALTER TABLE orders RENAME COLUMN quantity TO qty;\nDROP TABLE coupons;\nALTER TABLE t ALTER COLUMN c DROP NOT NULL;\n", null);

        // When its destructive statements are listed
        var loss = script.DataLoss();

        // Then only the DROP TABLE is named
        Assert.Equal(["DROP TABLE coupons;"], loss);
    }

    [Theory]
    [InlineData("ALTER TABLE orders\n  DROP coupon_code;")]
    [InlineData("DELETE\nFROM orders WHERE id < 10;")]
    [InlineData("UPDATE orders SET note = NULL;")]
    [InlineData("DROP TYPE kind CASCADE;")]
    [InlineData("TRUNCATE orders;")]
    public void DataLoss_StatementsOverSeveralLines_AreNamed(string sql) =>
        Assert.Single(MigrationScript.Create("U3__x.sql", sql, null).DataLoss());

    [Theory]
    [InlineData("CREATE TABLE o (id int REFERENCES c (id) ON DELETE CASCADE);")]
    [InlineData("ALTER TABLE o ALTER COLUMN c DROP DEFAULT;")]
    [InlineData("CREATE FUNCTION f() RETURNS void AS $$ BEGIN DELETE FROM t; END; $$ LANGUAGE plpgsql;")]
    public void DataLoss_NonDestructiveStatements_AreNotNamed(string sql) =>
        Assert.Empty(MigrationScript.Create("U3__x.sql", sql, null).DataLoss());

    [Fact]
    public void TransactionControl_TopLevelOnly_FunctionBodiesIgnored()
    {
        // Given a script with its own BEGIN/COMMIT and a function whose body has BEGIN … END
        var script = MigrationScript.Create("U3__x.sql", "begin;\nCREATE FUNCTION f() RETURNS int AS $body$ BEGIN RETURN 1; END; $body$ LANGUAGE plpgsql;\ncommit;\n", null);

        // Then only the top-level statements are named
        Assert.Equal(["begin;", "commit;"], script.TransactionControl());
    }
}

