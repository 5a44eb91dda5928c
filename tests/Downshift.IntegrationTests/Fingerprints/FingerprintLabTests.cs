using Downshift.Databases;
using Downshift.Fingerprints;
using Downshift.IntegrationTests.Lab;

namespace Downshift.IntegrationTests.Fingerprints;

/// <summary>
/// Fingerprints of real lab hosts over SSH (P8, P9, V6): unchanged twice is equal; each kind of change
/// shows up as an unexpected difference in its own section and nowhere else; a declared difference is
/// marked expected; h1 against h2 after the shop's setup on h2 shows exactly the shop's drift.
/// Each test that changes h1 puts it back, so h1 stays the reference the drift test compares with.
/// </summary>
[Collection(FingerprintLabCollection.Name)]
public sealed class FingerprintLabTests(FingerprintLab lab)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Collect_TwiceUnchanged_NoDifferencesFromOneCommand()
    {
        // Given / When a host fingerprinted twice
        var first = await lab.FingerprintAsync("h1");
        var second = await lab.FingerprintAsync("h1");

        // Then nothing differs, one command read it all, and a missing tool is said, not silent
        var comparison = FingerprintDiff.Compare(first, second, []);
        Assert.Empty(comparison.Differences);
        Assert.Equal(1, first.Commands);
        TestContext.Current.TestOutputHelper?.WriteLine($"h1: {first.Summary()}; {first.Commands} command, {first.Seconds:0.000} s, then {second.Seconds:0.000} s");
        Assert.Equal(["dpkg", "rpm"], first.Packages.Sources);
        Assert.Equal("ii", first.Packages.Entries["openssh-server"].State);
        Assert.Equal("RUNNING", first.Services.Entries["supervisor:sshd"].State);
        Assert.Equal("running", first.Services.Entries["lsb:ssh"].State);
        Assert.StartsWith("systemd is not the init system", first.Services.Unavailable["systemd"], StringComparison.Ordinal);
        Assert.Equal(new UserEntry(0, 0, "/root", "/bin/bash"), first.Users.Entries["root"]);
        Assert.True(first.Groups.Entries.ContainsKey("deploy"));
        Assert.Equal("0440", first.Sudoers.Entries["/etc/sudoers.d/deploy"].Mode);
        Assert.Equal("sshd", first.Ports.Entries["tcp:0.0.0.0:22"].Process);
        Assert.Equal("4755", first.Suid.Entries["/usr/bin/sudo"].Mode);
        Assert.Equal("missing", first.Files.Entries["/etc/shopd"].Type);
        Assert.Equal(64, first.Files.Entries["/etc/ssh/sshd_config"].Sha256!.Length);
        Assert.Contains(comparison.Notes, n => n.StartsWith("services (systemd): not compared", StringComparison.Ordinal));
    }

    public static TheoryData<string, string, string, string> Changes => new()
    {
        // change on h1, how to put it back, the differences it must make (section:key …), a line it must print
        { "install-package", "dpkg --purge fpdemo >/dev/null", "packages:fpdemo", "unexpected packages fpdemo absent -> 1.0-1 arch=all state=ii manager=dpkg" },
        { "useradd -M -s /bin/sh fpuser", "userdel fpuser", "groups:fpuser users:fpuser", "unexpected users fpuser absent -> uid=" },
        { "chmod 600 /etc/ssh/sshd_config", "chmod 644 /etc/ssh/sshd_config", "files:/etc/ssh/sshd_config", "unexpected files /etc/ssh/sshd_config mode=0644 -> mode=0600" },
        {
            "nohup setsid python3 -c 'import socket, time; s = socket.socket(); s.bind((\"127.0.0.1\", 9876)); s.listen(); time.sleep(600)' </dev/null >/dev/null 2>&1 & echo $! >/tmp/fp-listener.pid; " +
            "for _ in $(seq 50); do ss -Hltn | grep -q 127.0.0.1:9876 && break; sleep 0.1; done",
            "kill $(cat /tmp/fp-listener.pid); rm -f /tmp/fp-listener.pid",
            "ports:tcp:127.0.0.1:9876",
            "unexpected ports tcp:127.0.0.1:9876 absent -> python3"
        },
        { "install -m 4755 /bin/true /usr/local/bin/fp-suid", "rm -f /usr/local/bin/fp-suid", "suid:/usr/local/bin/fp-suid", "unexpected suid /usr/local/bin/fp-suid absent -> file mode=4755 owner=root group=root sha256=" },
        { "install -m 440 /dev/null /etc/sudoers.d/fp", "rm -f /etc/sudoers.d/fp", "sudoers:/etc/sudoers.d/fp", "unexpected sudoers /etc/sudoers.d/fp absent -> file mode=0440 owner=root group=root sha256=e3b0c44298fc…" },
    };

    [Theory]
    [MemberData(nameof(Changes))]
    public async Task Compare_OneChange_UnexpectedInItsSectionOnly(string change, string undo, string keys, string line)
    {
        // Given h1's fingerprint
        var before = await lab.FingerprintAsync("h1");
        try
        {
            // When one thing changes on h1
            await lab.ExecAsync("h1", change == "install-package" ? await PublishedPackageInstallAsync() : change, Ct);
            var after = await lab.FingerprintAsync("h1");

            // Then exactly that is an unexpected difference, in its section
            var comparison = FingerprintDiff.Compare(before, after, []);
            var lines = comparison.Differences.Select(d => d.ToString()).ToList();
            Assert.True(
                keys.Split(' ').Order(StringComparer.Ordinal).SequenceEqual(comparison.Unexpected.Select(d => $"{d.Section}:{d.Key}").Order(StringComparer.Ordinal)),
                string.Join('\n', lines));
            Assert.Contains(lines, l => l.StartsWith(line, StringComparison.Ordinal));
        }
        finally
        {
            await lab.ExecAsync("h1", undo, Ct);
        }

        // And once it is put back, h1 is where it was
        Assert.Empty(FingerprintDiff.Compare(before, await lab.FingerprintAsync("h1"), []).Differences);
    }

    [Fact]
    public async Task Compare_DeclaredDifference_MarkedExpectedWithItsDeclaration()
    {
        // Given h1's fingerprint, and a declaration that ssh_config may change
        var before = await lab.FingerprintAsync("h1");
        var expected = ExpectedDifference.Parse("files:/etc/ssh/*_config", "the test edits it");
        try
        {
            // When it changes
            await lab.ExecAsync("h1", "echo '# edited' >> /etc/ssh/ssh_config", Ct);
            var comparison = FingerprintDiff.Compare(before, await lab.FingerprintAsync("h1"), [expected]);

            // Then the difference is listed, expected by that declaration, and nothing is unexpected
            var difference = Assert.Single(comparison.Differences);
            Assert.Same(expected, difference.ExpectedBy);
            Assert.StartsWith("expected files /etc/ssh/ssh_config sha256=", difference.ToString(), StringComparison.Ordinal);
            Assert.EndsWith("(by 'files:/etc/ssh/*_config': the test edits it)", difference.ToString(), StringComparison.Ordinal);
            Assert.False(comparison.HasUnexpected);
        }
        finally
        {
            await lab.ExecAsync("h1", "sed -i '/^# edited$/d' /etc/ssh/ssh_config", Ct);
        }
    }

    [Fact]
    public async Task Compare_H1AgainstH2AfterSetupOnH2Only_ShowsExactlyTheShopsDrift()
    {
        // Given h2 set up as production (shopd 2.3.0 on PostgreSQL), h1 left as it was
        await lab.ShopOnH2Async();
        var spec = FingerprintLab.Spec with { Databases = [ShopDatabase] };

        // When both are fingerprinted and compared (P8)
        var fingerprints = await Task.WhenAll(lab.FingerprintAsync("h1", spec), lab.FingerprintAsync("h2", spec));
        var comparison = FingerprintDiff.Compare(fingerprints[0], fingerprints[1], [ExpectedDifference.Parse("files:/etc/ssh/ssh_host_*", "each host has its own keys")]);

        // Then the unexpected differences are the shop's and nothing else
        string[] drift =
        [
            "databases:(shop)", "databases:shop", "databases:shop/public.coupons", "databases:shop/public.flyway_schema_history", "databases:shop/public.orders",
            "files:/etc/shopd", "files:/etc/shopd/shopd.conf", "files:/etc/supervisor/conf.d/shopd.conf",
            "packages:shopd", "ports:tcp:0.0.0.0:8080", "ports:tcp:127.0.0.1:5432", "services:supervisor:postgresql", "services:supervisor:shopd",
        ];
        var lines = string.Join('\n', comparison.Differences);
        Assert.True(drift.SequenceEqual(comparison.Unexpected.Select(d => $"{d.Section}:{d.Key}").Order(StringComparer.Ordinal)), lines);
        Assert.Contains("unexpected packages shopd absent -> 2.3.0 arch=all state=ii manager=dpkg", lines, StringComparison.Ordinal);
        Assert.Contains("unexpected services supervisor:postgresql STOPPED -> RUNNING", lines, StringComparison.Ordinal);
        Assert.Contains("unexpected databases (shop) unavailable: postgresql database 'shop' cannot be used: ", lines, StringComparison.Ordinal);
        Assert.Contains(comparison.Differences, d => d.Expected && d.Key == "/etc/ssh/ssh_host_ed25519_key");
    }

    [Fact]
    public async Task Compare_OrderPlaced_DatabaseTableDiffersUnlessDeclared()
    {
        // Given the shop on h2 and its fingerprint with the database
        await lab.ShopOnH2Async();
        var spec = FingerprintLab.Spec with { Databases = [ShopDatabase] };
        var before = await lab.FingerprintAsync("h2", spec);

        // When an order is placed through shopd
        await lab.ExecAsync("h2", "curl -fsS -X POST -H 'Content-Type: application/json' -d '{\"item\":\"fp\",\"qty\":1}' http://127.0.0.1:8080/orders", Ct);
        var after = await lab.FingerprintAsync("h2", spec);

        // Then the orders table is the one difference: unexpected, or expected once declared
        var unexpected = Assert.Single(FingerprintDiff.Compare(before, after, []).Differences);
        Assert.Equal(("databases", "shop/public.orders"), (unexpected.Section, unexpected.Key));
        Assert.Matches(@"^rows=(\d+) checksum=\S+ -> rows=\d+ checksum=\S+$", $"{unexpected.Before} -> {unexpected.After}");
        Assert.Equal(before.Databases.Entries["shop/public.orders"].Rows + 1, after.Databases.Entries["shop/public.orders"].Rows);
        var declared = FingerprintDiff.Compare(before, after, [ExpectedDifference.Parse("databases:shop/public.orders", "orders keep coming")]);
        Assert.False(declared.HasUnexpected);
    }

    private static DatabaseTarget ShopDatabase => new() { Engine = DatabaseTarget.PostgreSql, Name = "shop", RunAs = "postgres" };

    /// <summary>The script that installs the tiny package fpdemo 1.0-1 from the lab's repository (built and published here).</summary>
    private async Task<string> PublishedPackageInstallAsync()
    {
        await TestPackages.BuildDebAsync(lab.DebDirectory, "fpdemo", "1.0-1", Ct);
        await lab.PublishDebsAsync(Ct);
        return "apt-get update -q >/dev/null && apt-get install -y -q fpdemo >/dev/null";
    }
}
