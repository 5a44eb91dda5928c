using Downshift.Fingerprints;

namespace Downshift.Tests.Fingerprints;

public sealed class ExpectedDifferenceTests
{
    [Theory]
    [InlineData("files:/var/log/**", "files", "/var/log/shopd.log", true)]
    [InlineData("files:/var/log/**", "files", "/var/log/nginx/access.log", true)]
    [InlineData("files:/var/log/**", "files", "/var/log", false)]
    [InlineData("files:/var/log/**", "files", "/var/logs/x", false)]
    [InlineData("files:/var/log/*", "files", "/var/log/shopd.log", true)]
    [InlineData("files:/var/log/*", "files", "/var/log/nginx/access.log", false)]
    [InlineData("files:/etc/shopd/*.dpkg-*", "files", "/etc/shopd/shopd.conf.dpkg-dist", true)]
    [InlineData("files:/etc/shopd/shopd.con?", "files", "/etc/shopd/shopd.conf", true)]
    [InlineData("files:/etc/shopd/shopd.con?", "files", "/etc/shopd/shopd.co/f", false)]
    [InlineData("packages:shopd", "packages", "shopd", true)]
    [InlineData("packages:shopd", "packages", "shopd-doc", false)]
    [InlineData("packages:shopd", "files", "shopd", false)]
    [InlineData("packages:lib*", "packages", "libc6:amd64", true)]
    [InlineData("databases:shop/public.orders", "databases", "shop/public.orders", true)]
    [InlineData("databases:shop/public.orders", "databases", "shop/publicXorders", false)]
    [InlineData("databases:shop/*", "databases", "shop/public.coupons", true)]
    [InlineData("ports:tcp:*:8080", "ports", "tcp:0.0.0.0:8080", true)]
    [InlineData("ports:tcp:*:8080", "ports", "tcp:[::]:8080", true)]
    [InlineData("ports:tcp:*:8080", "ports", "udp:0.0.0.0:8080", false)]
    [InlineData("services:supervisor:shop(d)", "services", "supervisor:shop(d)", true)]
    [InlineData("*:**shopd**", "users", "shopd", true)]
    [InlineData("*:**shopd**", "files", "/etc/shopd/shopd.conf", true)]
    public void Matches_Glob_WholeKeyWithinSegments(string what, string section, string key, bool matches)
    {
        var expected = ExpectedDifference.Parse(what, "test");

        Assert.Equal(matches, expected.Matches(section, key));
    }

    [Theory]
    [InlineData("files", "must be SECTION:GLOB")]
    [InlineData("files:", "must be SECTION:GLOB")]
    [InlineData("filez:/etc", "unknown section 'filez' (known: packages, files, services, users, groups, sudoers, ports, suid, databases, or *)")]
    public void TryParse_Malformed_SaysWhy(string what, string problem)
    {
        Assert.False(ExpectedDifference.TryParse(what, "a reason", out _, out var message));
        Assert.Contains(problem, message, StringComparison.Ordinal);
    }

    [Fact]
    public void TryParse_NoReason_Refused()
    {
        Assert.False(ExpectedDifference.TryParse("files:/var/log/**", "  ", out _, out var message));
        Assert.Contains("needs a reason", message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_SplitsAtTheFirstColon()
    {
        var expected = ExpectedDifference.Parse("services:supervisor:shopd", " restarted ");

        Assert.Equal(("services", "supervisor:shopd", "restarted"), (expected.Section, expected.KeyGlob, expected.Reason));
        Assert.Equal("services:supervisor:shopd", expected.What);
    }
}
