using Downshift.Hosts.Ssh.Internal;
using Renci.SshNet;

namespace Downshift.Tests.Hosts;

public sealed class KeyExchangeOrderTests
{
    [Fact]
    public void DemoteSlowKeyExchanges_SshNetDefaults_Curve25519BeforeSntrupMlkemStaysFirst()
    {
        var info = new ConnectionInfo("h1", "root", new PasswordAuthenticationMethod("root", "x"));
        var before = info.KeyExchangeAlgorithms.Keys.ToList();

        SshClientOpener.DemoteSlowKeyExchanges(info);

        var order = info.KeyExchangeAlgorithms.Keys.ToList();
        Assert.Equal(before.Order(StringComparer.Ordinal), order.Order(StringComparer.Ordinal));
        Assert.True(order.IndexOf("curve25519-sha256") < order.IndexOf("sntrup761x25519-sha512@openssh.com"), string.Join(",", order));
        Assert.Equal("mlkem768x25519-sha256", order[0]);
    }
}
