using Downshift.Databases.Internal;

namespace Downshift.Tests.Databases;

public sealed class ScratchNamesTests
{
    [Theory]
    [InlineData("backup 1/shop", "backup_1_shop")]
    [InlineData("  Run-42 ÜBER!! ", "run_42_ber")]
    [InlineData("___", "copy")]
    [InlineData("", "copy")]
    public void Sanitise_AnyLabel_LowercaseLettersDigitsAndSingleUnderscores(string label, string expected) =>
        Assert.Equal(expected, ScratchNames.Sanitise(label));

    [Fact]
    public void New_LongLabel_FitsAPostgresIdentifier()
    {
        // Given a label far longer than an identifier may be
        var label = new string('a', 200);

        // When
        var name = ScratchNames.New(label);

        // Then dsverify_, 40 characters of label, _ and 8 hex digits: under PostgreSQL's 63
        Assert.Matches("^dsverify_a{40}_[0-9a-f]{8}$", name);
        Assert.NotEqual(name, ScratchNames.New(label));
    }
}
