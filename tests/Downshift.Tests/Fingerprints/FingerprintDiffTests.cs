using Downshift.Fingerprints;

namespace Downshift.Tests.Fingerprints;

public sealed class FingerprintDiffTests
{
    private static readonly DateTimeOffset At = new(2026, 11, 24, 0, 30, 0, TimeSpan.Zero);

    private static readonly FileEntry Config = new("file", "0644", "root", "root") { Sha256 = new string('a', 64) };

    private static HostFingerprint Host(
        string name,
        string shopd = "2.3.0",
        FileEntry? config = null,
        Dictionary<string, string>? unavailableServices = null) => new()
    {
        Host = name,
        TakenAt = At,
        Declared = new FingerprintDeclarations { Paths = ["/etc/shopd"] },
        Packages = new()
        {
            Entries = new Dictionary<string, PackageEntry>
            {
                ["shopd"] = new(shopd, "all", "ii", "dpkg"),
                ["bash"] = new("5.2", "amd64", "ii", "dpkg"),
            },
            Sources = ["dpkg"],
        },
        Files = new()
        {
            Entries = new Dictionary<string, FileEntry>
            {
                ["/etc/shopd"] = new("directory", "0755", "root", "root"),
                ["/etc/shopd/shopd.conf"] = config ?? Config,
                ["/etc/shopd/local.conf"] = new("missing", null, null, null),
            },
            Sources = ["files"],
        },
        Services = new()
        {
            Entries = new Dictionary<string, ServiceEntry> { ["supervisor:shopd"] = new("RUNNING") },
            Sources = unavailableServices is null ? ["supervisor"] : [],
            Unavailable = unavailableServices ?? new Dictionary<string, string> { ["systemd"] = "systemd is not the init system" },
        },
    };

    [Fact]
    public void Compare_SameState_NoDifferences()
    {
        var comparison = FingerprintDiff.Compare(Host("h1"), Host("h1"), []);

        Assert.Empty(comparison.Differences);
        Assert.False(comparison.HasUnexpected);
    }

    [Fact]
    public void Compare_VersionChanged_OneLineWithTheChangedFacetOnly()
    {
        var comparison = FingerprintDiff.Compare(Host("h1"), Host("h1", shopd: "2.1.0"), []);

        var difference = Assert.Single(comparison.Differences);
        Assert.Equal("unexpected packages shopd 2.3.0 -> 2.1.0", difference.ToString());
        Assert.True(comparison.HasUnexpected);
    }

    [Fact]
    public void Compare_ModeAndContentChanged_BothFacetsShownDigestsCut()
    {
        var changed = Config with { Mode = "0600", Sha256 = new string('b', 64) };

        var comparison = FingerprintDiff.Compare(Host("h1"), Host("h1", config: changed), []);

        Assert.Equal(
            "unexpected files /etc/shopd/shopd.conf mode=0644 sha256=aaaaaaaaaaaa… -> mode=0600 sha256=bbbbbbbbbbbb…",
            Assert.Single(comparison.Differences).ToString());
    }

    [Fact]
    public void Compare_EntryOnOneSide_ShownAbsentAgainstAllItsFacets()
    {
        var before = Host("h1");
        var after = before with
        {
            Packages = new() { Entries = before.Packages.Entries.Where(e => e.Key != "bash").ToDictionary(), Sources = ["dpkg"] },
            Users = new() { Entries = new Dictionary<string, UserEntry> { ["shop"] = new(999, 999, "/var/lib/shop", "/usr/sbin/nologin") }, Sources = ["passwd"] },
        };

        var lines = FingerprintDiff.Compare(before, after, []).Differences.Select(d => d.ToString()).ToList();

        Assert.Contains("unexpected packages bash 5.2 arch=amd64 state=ii manager=dpkg -> absent", lines);
        Assert.Contains("unexpected users shop absent -> uid=999 gid=999 home=/var/lib/shop shell=/usr/sbin/nologin", lines);
        Assert.Contains("unexpected users (passwd) not collected -> collected", lines);
    }

    [Fact]
    public void Compare_OtherKindOfEntry_BothShownWhole()
    {
        // Given a config file that became a symlink, and a missing one that appeared
        var link = new FileEntry("symlink", "0777", "root", "root") { Target = "shopd.conf.d/main" };
        var before = Host("h1");
        var files = new Dictionary<string, FileEntry>(before.Files.Entries)
        {
            ["/etc/shopd/shopd.conf"] = link,
            ["/etc/shopd/local.conf"] = new("file", "0600", "shop", "shop") { Sha256 = new string('d', 64) },
        };
        var after = before with { Files = before.Files with { Entries = files } };

        // When / Then
        var lines = FingerprintDiff.Compare(before, after, []).Differences.Select(d => d.ToString()).ToList();

        Assert.Contains("unexpected files /etc/shopd/shopd.conf file mode=0644 owner=root group=root sha256=aaaaaaaaaaaa… -> symlink mode=0777 owner=root group=root target=shopd.conf.d/main", lines);
        Assert.Contains("unexpected files /etc/shopd/local.conf missing -> file mode=0600 owner=shop group=shop sha256=dddddddddddd…", lines);
    }

    [Fact]
    public void Compare_DeclaredDifference_MarkedExpectedByTheFirstDeclarationThatMatches()
    {
        // Given two declarations that both cover shopd
        ExpectedDifference[] expected =
        [
            ExpectedDifference.Parse("packages:shop*", "the downgrade"),
            ExpectedDifference.Parse("*:**", "anything"),
        ];

        // When
        var comparison = FingerprintDiff.Compare(Host("h1"), Host("h1", shopd: "2.1.0"), expected);

        // Then the difference is kept, marked expected with the first declaration
        var difference = Assert.Single(comparison.Differences);
        Assert.Same(expected[0], difference.ExpectedBy);
        Assert.Equal("expected packages shopd 2.3.0 -> 2.1.0 (by 'packages:shop*': the downgrade)", difference.ToString());
        Assert.False(comparison.HasUnexpected);
        Assert.Contains("expected difference '*:**' (anything) matched nothing", comparison.Notes);
    }

    [Fact]
    public void Compare_SourceUnreadableOnOneSide_IsADifference()
    {
        var after = Host("h2", unavailableServices: new() { ["supervisor"] = "supervisorctl is not installed" });

        var lines = FingerprintDiff.Compare(Host("h1"), after, []).Differences.Select(d => d.ToString()).ToList();

        Assert.Contains("unexpected services (supervisor) collected -> unavailable: supervisorctl is not installed", lines);
        Assert.Contains("unexpected services (systemd) unavailable: systemd is not the init system -> not collected", lines);
    }

    [Fact]
    public void Compare_SourceUnreadableOnBothSides_ANoteNotSilence()
    {
        var comparison = FingerprintDiff.Compare(Host("h1"), Host("h2"), []);

        Assert.Empty(comparison.Differences);
        Assert.Contains("services (systemd): not compared, unavailable: systemd is not the init system on both sides", comparison.Notes);
    }

    [Fact]
    public void Compare_SourceUnreadableOnBothSidesForDifferentReasons_StillANote()
    {
        var after = Host("h2", unavailableServices: new() { ["systemd"] = "systemctl is not installed" });
        var before = Host("h1", unavailableServices: new() { ["systemd"] = "systemd is not the init system" });

        var comparison = FingerprintDiff.Compare(before, after, []);

        Assert.Empty(comparison.Differences);
        Assert.Contains("services (systemd): not compared, unavailable: systemd is not the init system -> unavailable: systemctl is not installed", comparison.Notes);
    }

    [Fact]
    public void Compare_DifferentDeclarations_Noted()
    {
        var after = Host("h2") with { Declared = new FingerprintDeclarations { Paths = ["/etc/shopd", "/etc/nginx"] } };

        var comparison = FingerprintDiff.Compare(Host("h1"), after, []);

        Assert.Contains("the fingerprints declare different paths: [/etc/shopd] vs [/etc/shopd, /etc/nginx]", comparison.Notes);
    }

    [Fact]
    public void Json_RoundTrip_SameTextWithKeysInOrdinalOrder()
    {
        // Given a fingerprint whose entries were added out of order
        var fingerprint = Host("h1") with
        {
            Groups = new() { Entries = new Dictionary<string, GroupEntry> { ["sudo"] = new(27, ["deploy"]), ["Zed"] = new(5, []), ["adm"] = new(4, ["syslog"]) }, Sources = ["group"] },
        };

        // When it is written, read and written again
        var json = FingerprintJson.Serialize(fingerprint);
        var again = FingerprintJson.Serialize(FingerprintJson.Deserialize(json, "h1.json"));

        // Then the text is the same, keys are sorted, and the reading compares equal
        Assert.Equal(json, again);
        Assert.True(json.IndexOf("\"Zed\"", StringComparison.Ordinal) < json.IndexOf("\"adm\"", StringComparison.Ordinal));
        Assert.True(json.IndexOf("\"adm\"", StringComparison.Ordinal) < json.IndexOf("\"sudo\"", StringComparison.Ordinal));
        Assert.Contains("\"takenAt\": \"2026-11-24T00:30:00+00:00\"", json, StringComparison.Ordinal);
        Assert.Empty(FingerprintDiff.Compare(fingerprint, FingerprintJson.Deserialize(json, "h1.json"), []).Differences);
    }

    [Fact]
    public void Json_NewerFormatOrNotAFingerprint_Refused()
    {
        var newer = FingerprintJson.Serialize(Host("h1") with { Format = HostFingerprint.CurrentFormat + 1 });

        var error = Assert.Throws<DownshiftException>(() => FingerprintJson.Deserialize(newer, "h1.json"));
        Assert.Contains("h1.json is a fingerprint of format 2", error.Message, StringComparison.Ordinal);
        Assert.Throws<DownshiftException>(() => FingerprintJson.Deserialize("{\"format\": 1}", "x.json"));
        Assert.Throws<DownshiftException>(() => FingerprintJson.Deserialize("not json", "x.json"));
    }
}
