using Downshift.Databases;
using Downshift.Databases.Internal;

namespace Downshift.Tests.Databases;

public sealed class FingerprintLinesTests
{
    [Fact]
    public void Parse_SchemaAndTables_TablesOrderedByName()
    {
        // Given the lines a host printed, tables out of order
        const string output = """
            ["schema", "abc"]
            ["table", "public.orders", 3, "c1"]
            ["table", "app.coupons", 0, "c2"]
            """;

        // When
        var fingerprint = FingerprintLines.Parse(output);

        // Then
        Assert.NotNull(fingerprint);
        Assert.Equal("abc", fingerprint.SchemaHash);
        Assert.Equal([new TableFingerprint("app.coupons", 0, "c2"), new TableFingerprint("public.orders", 3, "c1")], fingerprint.Tables);
    }

    [Theory]
    [InlineData("""["table", "t", 1, "c"]""")]
    [InlineData("""["schema", "abc"]""" + "\nBEGIN")]
    [InlineData("""["schema", "abc"]""" + "\n" + """["table", "t", "1", "c"]""")]
    [InlineData("")]
    public void Parse_MissingSchemaOrStrayLine_Null(string output) => Assert.Null(FingerprintLines.Parse(output));
}
