using Downshift.Lab;
using Downshift.Lab.Internal;

namespace Downshift.Tests.Lab;

public sealed class LabTextTests
{
    private static readonly LabHost[] Hosts = [new("h1", "10.201.7.11"), new("h2", "10.201.7.12")];

    [Fact]
    public void Inventory_TwoHosts_ListsBothInLabGroupWithRootAndKey()
    {
        var text = LabText.Inventory("t1", Hosts, "/s/t1/id_ed25519", "/s/t1/known_hosts");

        var lines = text.Split('\n');
        var group = Array.IndexOf(lines, "[lab]");
        Assert.True(group >= 0, text);
        Assert.Equal("h1 ansible_host=10.201.7.11 ansible_port=22 ansible_user=root ansible_ssh_private_key_file=/s/t1/id_ed25519", lines[group + 1]);
        Assert.StartsWith("h2 ansible_host=10.201.7.12 ", lines[group + 2], StringComparison.Ordinal);
        Assert.Contains("[lab:vars]", lines);
        Assert.Contains("ansible_ssh_common_args='-o UserKnownHostsFile=/s/t1/known_hosts -o StrictHostKeyChecking=yes -o IdentitiesOnly=yes'", lines);
    }

    [Fact]
    public void SshConfig_TwoHosts_StrictBatchModeWithTheLabsFiles()
    {
        var text = LabText.SshConfig(Hosts, "/s/id", "/s/known_hosts");

        Assert.Contains("Host h1 10.201.7.11\n  HostName 10.201.7.11\n  Port 22\n", text, StringComparison.Ordinal);
        Assert.Contains("Host h2 10.201.7.12\n", text, StringComparison.Ordinal);
        Assert.Contains("  StrictHostKeyChecking yes\n", text, StringComparison.Ordinal);
        Assert.Contains("  UserKnownHostsFile /s/known_hosts\n", text, StringComparison.Ordinal);
        Assert.Contains("  IdentityFile /s/id\n", text, StringComparison.Ordinal);
        Assert.Contains("  BatchMode yes\n", text, StringComparison.Ordinal);
        Assert.Contains("  User root\n", text, StringComparison.Ordinal);
    }

    [Fact]
    public void KnownHosts_KeyWithComment_RecordedUnderAddressAndNameWithoutComment()
    {
        var text = LabText.KnownHosts([(Hosts[0], "ssh-ed25519 AAAAC3Nza root@h1\n")]);

        Assert.Equal("10.201.7.11,h1 ssh-ed25519 AAAAC3Nza\n", text);
    }

    [Fact]
    public void KnownHosts_OtherPort_UsesBracketedForm() =>
        Assert.Equal(
            "[10.0.0.1]:2222,[h9]:2222 ssh-ed25519 AAAA\n",
            LabText.KnownHosts([(new LabHost("h9", "10.0.0.1", 2222), "ssh-ed25519 AAAA")]));

    [Fact]
    public void Mirror_Deb822Sources_TakesTheFirstUri() =>
        Assert.Equal(
            "http://deb.debian.org/debian",
            RootfsCache.Mirror("Types: deb\nURIs: http://deb.debian.org/debian\nSuites: bookworm\n", "deb http://other/debian bookworm main"));

    [Fact]
    public void Mirror_OnlySourcesList_SkipsOptions() =>
        Assert.Equal("http://mirror/debian", RootfsCache.Mirror(null, "# x\ndeb [arch=amd64] http://mirror/debian bookworm main\n"));

    [Fact]
    public void AptAndYum_PointOnlyAtTheLabRepository()
    {
        Assert.Equal("deb [trusted=yes] http://10.1.2.1:8088/deb ./\n", HostRootText.AptSources("http://10.1.2.1:8088"));
        Assert.Contains("Dir::Etc::sourceparts \"-\";", HostRootText.AptOnlyLab, StringComparison.Ordinal);
        Assert.Contains("baseurl=http://10.1.2.1:8088/rpm\n", HostRootText.YumRepo("http://10.1.2.1:8088"), StringComparison.Ordinal);
        Assert.Contains("gpgcheck=0\n", HostRootText.YumRepo("http://10.1.2.1:8088"), StringComparison.Ordinal);
    }

    [Fact]
    public void NetworkBatch_TwoHosts_NetnsThenVethIntoTheBridgeForEach()
    {
        var text = HostRootText.NetworkBatch(new LabNames("t1", "10.1.2"), [1, 2]);

        Assert.Equal(
            "netns add ds-t1-h1\nlink add ds-t1-v1 type veth peer name eth0 netns ds-t1-h1\nlink set ds-t1-v1 master ds-t1-br up\n" +
            "netns add ds-t1-h2\nlink add ds-t1-v2 type veth peer name eth0 netns ds-t1-h2\nlink set ds-t1-v2 master ds-t1-br up\n",
            text);
    }

    [Fact]
    public void InitScript_Host_SetsItsAddressMountsItsOverlayAndBecomesSupervisord()
    {
        var script = HostRootText.InitScript(new LabHost("h3", "10.1.2.13"), "ds-t1-h3", "/cache/rootfs", "/state/t1/h3");

        Assert.Contains("ip addr add 10.1.2.13/24 dev eth0\n", script, StringComparison.Ordinal);
        Assert.Contains("mount -t overlay ds-t1-h3 -o lowerdir=/cache/rootfs,upperdir=/state/t1/h3/upper,workdir=/state/t1/h3/work /state/t1/h3/merged\n", script, StringComparison.Ordinal);
        Assert.EndsWith("/usr/bin/supervisord -n -c /etc/supervisor/supervisord.conf", script.TrimEnd(), StringComparison.Ordinal);
    }
}
