using Downshift.Fingerprints;

namespace Downshift.Tests.Fingerprints;

public sealed class PermissionDifferencesTests
{
    private static readonly DateTimeOffset At = new(2026, 12, 4, 20, 0, 0, TimeSpan.Zero);

    private static HostFingerprint Host(
        FileEntry config,
        FileEntry? extra = null,
        string shopd = "2.3.0",
        int deployUid = 1001,
        string sudoersHash = "aaaa") => new()
    {
        Host = "h1",
        TakenAt = At,
        Packages = new() { Entries = new Dictionary<string, PackageEntry> { ["shopd"] = new(shopd, "all", "ii", "dpkg") }, Sources = ["dpkg"] },
        Files = new()
        {
            Entries = extra is null
                ? new Dictionary<string, FileEntry> { ["/etc/shopd/shopd.conf"] = config }
                : new Dictionary<string, FileEntry> { ["/etc/shopd/shopd.conf"] = config, ["/etc/shopd/shopd.conf.dpkg-dist"] = extra },
            Sources = ["files"],
        },
        Users = new() { Entries = new Dictionary<string, UserEntry> { ["deploy"] = new(deployUid, 1001, "/home/deploy", "/bin/bash") }, Sources = ["passwd"] },
        Sudoers = new() { Entries = new Dictionary<string, FileEntry> { ["/etc/sudoers"] = new("file", "0440", "root", "root") { Sha256 = sudoersHash } }, Sources = ["sudoers"] },
    };

    private static FileEntry Conf(string mode = "0644", string owner = "root", string sha = "aaaa") =>
        new("file", mode, owner, "root") { Sha256 = sha };

    [Fact]
    public void Of_ContentVersionAndNewFile_AreNotPermissions()
    {
        // Given a downgrade that changed a package, a config's content and left a .dpkg-dist beside it
        var comparison = FingerprintDiff.Compare(Host(Conf()), Host(Conf(sha: "bbbb"), extra: Conf(), shopd: "2.1.0"), []);

        // Then there are three differences, and none of them is about permissions
        Assert.Equal(3, comparison.Differences.Count);
        Assert.Empty(PermissionDifferences.Of(comparison));
    }

    [Fact]
    public void Of_ModeOwnerUserAndSudoers_AreEachAPermissionDifference()
    {
        // Given a config whose mode and owner changed, a user whose uid changed and an edited sudoers
        var comparison = FingerprintDiff.Compare(
            Host(Conf()), Host(Conf(mode: "0666", owner: "shop", sha: "bbbb"), deployUid: 0, sudoersHash: "cccc"), []);

        // Then all three are permission differences, in the diff's order
        var permissions = PermissionDifferences.Of(comparison);
        Assert.Equal(["files /etc/shopd/shopd.conf", "users deploy", "sudoers /etc/sudoers"], permissions.Select(d => $"{d.Section} {d.Key}"));
        Assert.Contains("mode=0666", permissions[0].After, StringComparison.Ordinal);
    }

    [Fact]
    public void Of_DeclaredPermissionChange_IsListedButExpected()
    {
        // Given a mode change the plan declares
        var expected = ExpectedDifference.Parse("files:/etc/shopd/*", "2.1.0 ships the config world-readable");
        var comparison = FingerprintDiff.Compare(Host(Conf()), Host(Conf(mode: "0600")), [expected]);

        // Then it is a permission difference, marked expected by that declaration
        var difference = Assert.Single(PermissionDifferences.Of(comparison));
        Assert.Same(expected, difference.ExpectedBy);
    }
}
