using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Downshift.Hosts.Ssh;

namespace Downshift.Tests.Hosts;

public sealed class KnownHostsTests
{
    private static readonly byte[] KeyA = Blob("ssh-ed25519", 1);
    private static readonly byte[] KeyB = Blob("ssh-ed25519", 2);

    [Fact]
    public void Check_PlainHostWithItsKey_IsTrusted()
    {
        var file = KnownHosts.Parse("kh", [$"10.0.0.1 ssh-ed25519 {B64(KeyA)}"]);

        Assert.Equal(HostKeyStatus.Trusted, file.Check("10.0.0.1", 22, KeyA).Status);
    }

    [Fact]
    public void Check_PortForm_MatchesOnlyThatPort()
    {
        var file = KnownHosts.Parse("kh", [$"[10.0.0.1]:2222 ssh-ed25519 {B64(KeyA)}"]);

        Assert.Equal(HostKeyStatus.Trusted, file.Check("10.0.0.1", 2222, KeyA).Status);
        Assert.Equal(HostKeyStatus.Unknown, file.Check("10.0.0.1", 22, KeyA).Status);
    }

    [Fact]
    public void Check_CommaListAndWildcards_MatchEachName()
    {
        var file = KnownHosts.Parse("kh", [$"web1,10.0.0.*,!10.0.0.9 ssh-ed25519 {B64(KeyA)}"]);

        Assert.Equal(HostKeyStatus.Trusted, file.Check("web1", 22, KeyA).Status);
        Assert.Equal(HostKeyStatus.Trusted, file.Check("10.0.0.5", 22, KeyA).Status);
        Assert.Equal(HostKeyStatus.Unknown, file.Check("10.0.0.9", 22, KeyA).Status);
    }

    [Theory]
    [InlineData("*.Example.com", "db.example.com", true)]
    [InlineData("*.example.com", "example.com", false)]
    [InlineData("h?", "h1", true)]
    [InlineData("h?", "h12", false)]
    [InlineData("*1*", "10.0.0.5", true)]
    [InlineData("a*b*c", "axxbyyc", true)]
    [InlineData("a*b*c", "axxbyy", false)]
    [InlineData("[10.0.0.*]:2222", "[10.0.0.7]:2222", true)]
    [InlineData("[10.0.0.*]:2222", "[10.0.0.7]:22", false)]
    public void Check_WildcardPattern_MatchesLikeOpenSsh(string pattern, string host, bool trusted)
    {
        var file = KnownHosts.Parse("kh", [$"{pattern} ssh-ed25519 {B64(KeyA)}"]);
        var (address, port) = host.StartsWith('[') ? (host[1..host.IndexOf(']')], int.Parse(host[(host.IndexOf(':') + 1)..], CultureInfo.InvariantCulture)) : (host, 22);

        Assert.Equal(trusted ? HostKeyStatus.Trusted : HostKeyStatus.Unknown, file.Check(address, port, KeyA).Status);
    }

    [Fact]
    public void Check_HashedName_MatchesByHmac()
    {
        var salt = Enumerable.Range(0, 20).Select(i => (byte)i).ToArray();
        var hash = HMACSHA1.HashData(salt, Encoding.UTF8.GetBytes("[h2]:2200"));
        var file = KnownHosts.Parse("kh", [$"|1|{B64(salt)}|{B64(hash)} ssh-ed25519 {B64(KeyA)}"]);

        Assert.Equal(HostKeyStatus.Trusted, file.Check("h2", 2200, KeyA).Status);
        Assert.Equal(HostKeyStatus.Unknown, file.Check("h2", 22, KeyA).Status);
    }

    [Fact]
    public void Check_KnownHostOtherKey_IsChangedWithTheKnownLine()
    {
        var file = KnownHosts.Parse("kh", ["# comment", "", $"h1 ssh-ed25519 {B64(KeyA)}"]);

        var verdict = file.Check("h1", 22, KeyB);

        Assert.Equal(HostKeyStatus.Changed, verdict.Status);
        Assert.Equal(3, verdict.Entry!.Line);
    }

    [Fact]
    public void Check_RevokedKey_IsRevokedEvenWhenAlsoListed()
    {
        var file = KnownHosts.Parse("kh", [$"h1 ssh-ed25519 {B64(KeyA)}", $"@revoked * ssh-ed25519 {B64(KeyA)}"]);

        Assert.Equal(HostKeyStatus.Revoked, file.Check("h1", 22, KeyA).Status);
    }

    [Fact]
    public void Parse_CertAuthorityAndBrokenLines_AreSkipped()
    {
        var file = KnownHosts.Parse("kh", [$"@cert-authority * ssh-ed25519 {B64(KeyA)}", "h1 ssh-ed25519 not-base64!", "h1 only-two"]);

        Assert.Empty(file.Entries);
    }

    [Fact]
    public void Fingerprint_IsOpenSshSha256Form()
    {
        var expected = "SHA256:" + Convert.ToBase64String(SHA256.HashData(KeyA)).TrimEnd('=');

        Assert.Equal(expected, KnownHosts.Fingerprint(KeyA));
        Assert.Equal("ssh-ed25519", KnownHosts.KeyTypeOf(KeyA));
        Assert.Equal($"[h]:2200 ssh-ed25519 {B64(KeyA)}", KnownHosts.LineFor("h", 2200, KeyA));
    }

    [Fact]
    public void KnownKeyTypes_LeavesOutRevokedLines()
    {
        var file = KnownHosts.Parse("kh", [$"h1 ssh-ed25519 {B64(KeyA)}", $"@revoked h1 ssh-rsa {B64(Blob("ssh-rsa", 3))}"]);

        Assert.Equal(["ssh-ed25519"], file.KnownKeyTypes("h1", 22));
    }

    private static string B64(byte[] bytes) => Convert.ToBase64String(bytes);

    /// <summary>A key blob in SSH wire format: the type as a length-prefixed string, then key bytes.</summary>
    private static byte[] Blob(string type, byte seed)
    {
        var name = Encoding.ASCII.GetBytes(type);
        return [0, 0, 0, (byte)name.Length, .. name, 0, 0, 0, 32, .. Enumerable.Repeat(seed, 32)];
    }
}
