using System.Text;
using Downshift.Fingerprints;
using Downshift.Fingerprints.Internal;

namespace Downshift.Tests.Fingerprints;

/// <summary>The readers of the fingerprint script's output, on output captured from real tools.</summary>
public sealed class FingerprintParsingTests
{
    [Fact]
    public void Ports_SsOutput_KeyedByProtocolAddressAndPortWithProcessNames()
    {
        string[] lines =
        [
            "@@ss",
            "tcp   LISTEN 0      128    0.0.0.0:22 0.0.0.0:* users:((\"sshd\",pid=25,fd=3))",
            "tcp   LISTEN 0      128       [::]:22    [::]:* users:((\"sshd\",pid=25,fd=4))",
            "tcp   LISTEN 0      5      0.0.0.0:8080 0.0.0.0:* users:((\"python3\",pid=90,fd=3),(\"shopd\",pid=91,fd=3))",
            "udp   UNCONN 0      0      127.0.0.53%lo:53 0.0.0.0:*",
        ];
        var entries = new Dictionary<string, PortEntry>();

        var source = PortLines.Add(lines, entries);

        Assert.Equal(PortLines.Ss, source);
        Assert.Equal("sshd", entries["tcp:0.0.0.0:22"].Process);
        Assert.Equal("sshd", entries["tcp:[::]:22"].Process);
        Assert.Equal("python3,shopd", entries["tcp:0.0.0.0:8080"].Process);
        Assert.Equal("unknown", entries["udp:127.0.0.53%lo:53"].Process);
    }

    [Fact]
    public void Ports_ProcNetWithoutSs_ListeningSocketsWithTheirProcesses()
    {
        // Given /proc/net/tcp{,6} and udp with one listener each, one connected socket, and the socket owners
        string[] lines =
        [
            "@@tcp",
            "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode",
            "   0: 00000000:0016 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 4001 1 0000000000000000 100 0 0 10 0",
            "   1: 0100007F:1F90 0100007F:D2F0 01 00000000:00000000 00:00000000 00000000     0        0 4002 1 0000000000000000 100 0 0 10 0",
            "@@tcp6",
            "  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode",
            "   0: 00000000000000000000000001000000:1538 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000   107        0 4003 1 0000000000000000 100 0 0 10 0",
            "@@udp",
            "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops",
            "  1: 00000000:0044 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 4004 2 0000000000000000 0",
            "@@sockets",
            "/proc/25/fd socket:[4001]",
            "/proc/40/fd socket:[4003]",
            "@@comm",
            "25 sshd",
            "40 postgres",
        ];
        var entries = new Dictionary<string, PortEntry>();

        // When
        var source = PortLines.Add(lines, entries);

        // Then
        Assert.Equal(PortLines.Proc, source);
        Assert.Equal(["tcp:0.0.0.0:22", "tcp:[::1]:5432", "udp:0.0.0.0:68"], entries.Keys.Order(StringComparer.Ordinal));
        Assert.Equal("sshd", entries["tcp:0.0.0.0:22"].Process);
        Assert.Equal("postgres", entries["tcp:[::1]:5432"].Process);
        Assert.Equal("unknown", entries["udp:0.0.0.0:68"].Process);
    }

    [Fact]
    public void Supervisor_StatusLines_StateWithoutPidOrUptime()
    {
        var entries = new Dictionary<string, ServiceEntry>();

        var other = ServiceLines.AddSupervisor(
            ["postgresql                       STOPPED   Not started", "sshd RUNNING pid 25, uptime 0:00:02", "web:web_00 FATAL Exited too quickly", "error: <class 'ConnectionRefusedError'>"],
            entries);

        Assert.Equal("STOPPED", entries["supervisor:postgresql"].State);
        Assert.Equal("RUNNING", entries["supervisor:sshd"].State);
        Assert.Equal("FATAL", entries["supervisor:web:web_00"].State);
        Assert.Equal(["error: <class 'ConnectionRefusedError'>"], other);
    }

    [Fact]
    public void Systemd_UnitsAndUnitFiles_StateAndEnabled()
    {
        var entries = new Dictionary<string, ServiceEntry>();

        ServiceLines.AddSystemd(
        [
            "ssh.service loaded active running OpenBSD Secure Shell server",
            "cron.service loaded inactive dead Regular background program processing daemon",
            "@@unit-files",
            "ssh.service enabled enabled",
            "cron.service disabled enabled",
            "shopd.service masked enabled",
        ], entries);

        Assert.Equal(new ServiceEntry("active/running") { Enabled = "enabled" }, entries["systemd:ssh.service"]);
        Assert.Equal(new ServiceEntry("inactive/dead") { Enabled = "disabled" }, entries["systemd:cron.service"]);
        Assert.Equal(new ServiceEntry("inactive/dead") { Enabled = "masked" }, entries["systemd:shopd.service"]);
    }

    [Fact]
    public void Lsb_ExitCodes_TheirLsbMeaning()
    {
        var entries = new Dictionary<string, ServiceEntry>();

        ServiceLines.AddLsb(["ssh\t0", "nginx\t3", "gone\tmissing", "odd\t7"], entries);

        Assert.Equal(["running", "stopped", "missing", "status exit 7"], new[] { "ssh", "nginx", "gone", "odd" }.Select(s => entries[$"lsb:{s}"].State));
    }

    [Fact]
    public void Dpkg_Lines_NotInstalledLeftOutHoldsKept()
    {
        var entries = new Dictionary<string, PackageEntry>();

        PackageLines.AddDpkg(["ii \tbash\t5.2.15-2+b13\tamd64", "hi \tshopd\t2.3.0\tall", "rc \told\t1.0\tall", "un \tgone\t\t"], entries);
        PackageLines.AddRpm(["bash\t5.2-1\tx86_64", "gpg-pubkey\t1-a\t(none)", "gpg-pubkey\t1-b\t(none)"], entries);

        Assert.Equal(["bash", "bash@rpm", "gpg-pubkey", "old", "shopd"], entries.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(new PackageEntry("2.3.0", "all", "hi", "dpkg"), entries["shopd"]);
        Assert.Equal("rc", entries["old"].State);
        Assert.Equal(new PackageEntry("1-a, 1-b", "(none)", "installed", "rpm"), entries["gpg-pubkey"]);
    }

    [Fact]
    public void Files_FindRecordsAndSha256sum_EntriesWithHashesForRegularFiles()
    {
        var hash = new string('c', 64);
        var records = Encoding.UTF8.GetBytes(
            "d\0755\0root\0root\0\0/etc/shop\0" +
            "f\0640\0root\0shop\0\0/etc/shop/a b.conf\0" +
            "l\0777\0root\0root\0a b.conf\0/etc/shop/link\0" +
            "f\04755\0root\0root\0\0/etc/shop/unreadable\0" +
            "missing\0\0\0\0\0/etc/nosuch\0");
        var hashes = FileRecords.Hashes(Encoding.UTF8.GetBytes($"{hash}  /etc/shop/a b.conf\0"));

        var entries = FileRecords.Read(records, hashes).ToDictionary();

        Assert.Equal(new FileEntry("directory", "0755", "root", "root"), entries["/etc/shop"]);
        Assert.Equal(new FileEntry("file", "0640", "root", "shop") { Sha256 = hash }, entries["/etc/shop/a b.conf"]);
        Assert.Equal(new FileEntry("symlink", "0777", "root", "root") { Target = "a b.conf" }, entries["/etc/shop/link"]);
        Assert.Equal("unreadable", entries["/etc/shop/unreadable"].Sha256);
        Assert.Equal("4755", entries["/etc/shop/unreadable"].Mode);
        Assert.Equal(["missing"], entries["/etc/nosuch"].Facets().Select(f => f.Show()));
    }

    [Fact]
    public void Accounts_PasswdAndGroup_NoPasswords()
    {
        var users = new Dictionary<string, UserEntry>();
        var groups = new Dictionary<string, GroupEntry>();

        AccountLines.AddUsers(["root:x:0:0:root:/root:/bin/bash", "deploy:*:1000:1000::/home/deploy:/bin/sh", "broken line"], users);
        AccountLines.AddGroups(["sudo:x:27:deploy,alice", "deploy:x:1000:"], groups);

        Assert.Equal(new UserEntry(1000, 1000, "/home/deploy", "/bin/sh"), users["deploy"]);
        Assert.Equal(2, users.Count);
        Assert.Equal(["alice", "deploy"], groups["sudo"].Members);
        Assert.Empty(groups["deploy"].Members);
    }

    [Theory]
    [InlineData(0, "", true, null)]
    [InlineData(0, "find: '/x': Permission denied", true, "partly: find: '/x': Permission denied")]
    [InlineData(90, "rpm is not installed\n", false, "rpm is not installed")]
    [InlineData(2, "boom", false, "exit 2: boom")]
    public void Outcome_ExitAndStderr_ReadOrUnavailableWithWhy(int exit, string error, bool read, string? problem)
    {
        var part = new ScriptPart("x", exit, [], error);

        Assert.Equal((read, problem), part.Outcome());
    }

    [Fact]
    public void Parts_FramedOutput_SplitByLengthsNotByLines()
    {
        var output = Encoding.UTF8.GetBytes("@@part dpkg 0 11 0\nii \ta\t1\tall@@part rpm 90 0 20\nrpm is not installed");

        var parts = ScriptParts.Parse(output);

        Assert.Equal("ii \ta\t1\tall", parts["dpkg"].Text);
        Assert.Equal((90, "rpm is not installed"), (parts["rpm"].ExitCode, parts["rpm"].Error));
    }
}
