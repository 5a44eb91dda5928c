using Downshift.Hosts;

namespace Downshift.Tests.Hosts;

public sealed class ShTests
{
    [Theory]
    [InlineData("nginx")]
    [InlineData("/etc/shopd/shopd.conf")]
    [InlineData("shopd=1.2.0-1")]
    [InlineData("user@host:22,a+b%c")]
    public void Quote_PlainValue_StaysPlain(string value) =>
        Assert.Equal(value, Sh.Quote(value));

    [Theory]
    [InlineData("two words", "'two words'")]
    [InlineData("a\"b", "'a\"b'")]
    [InlineData("$HOME", "'$HOME'")]
    [InlineData("*", "'*'")]
    [InlineData("a;rm -rf /", "'a;rm -rf /'")]
    [InlineData("", "''")]
    public void Quote_ValueWithShellCharacters_IsSingleQuoted(string value, string expected) =>
        Assert.Equal(expected, Sh.Quote(value));

    [Fact]
    public void Quote_EmbeddedSingleQuote_IsClosedEscapedAndReopened() =>
        Assert.Equal("'it'\\''s'", Sh.Quote("it's"));
}
