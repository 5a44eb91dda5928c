using Downshift.Databases;
using Downshift.Plans;

namespace Downshift.Tests.Fingerprints;

public sealed class PlanFingerprintTests
{
    private const string Phases = """
        phases:
          - name: main
            steps:
              - id: a
                kind: shell
                command: "true"
                undo: none
                undo-reason: test
        """;

    [Fact]
    public void Load_FingerprintMapping_EveryKeyRead()
    {
        // Given a plan with a full fingerprint mapping
        var text = Engine.EngineHarness.PlanText("""
            fingerprint:
              paths: [/etc/shopd, /etc/supervisor/conf.d/shopd.conf]
              suid-dirs: [/usr/bin]
              services: [ssh]
              databases:
                - {engine: postgresql, name: shop, run-as: postgres}
                - {engine: sqlite, path: /var/lib/shop/orders.db}
              expect-differences:
                - {what: "files:/var/log/**", reason: logs grow}
                - {what: "packages:shopd", reason: the downgrade}
            """ + "\n" + Phases);

        // When
        var result = PlanLoader.Load("plan.yaml", text, new Dictionary<string, string>());

        // Then
        Assert.True(result.IsValid, string.Join("\n", result.Errors));
        var spec = result.Plan!.Fingerprint!;
        Assert.Equal(["/etc/shopd", "/etc/supervisor/conf.d/shopd.conf"], spec.Paths);
        Assert.Equal(["/usr/bin"], spec.SuidDirectories);
        Assert.Equal(["ssh"], spec.Services);
        Assert.Equal(new DatabaseTarget { Engine = DatabaseTarget.PostgreSql, Name = "shop", RunAs = "postgres" }, spec.Databases[0]);
        Assert.Equal("/var/lib/shop/orders.db", spec.Databases[1].Path);
        Assert.Equal(["files:/var/log/**", "packages:shopd"], spec.ExpectedDifferences.Select(e => e.What));
        Assert.Equal("logs grow", spec.ExpectedDifferences[0].Reason);
    }

    [Fact]
    public void Load_NoFingerprint_NullSpec()
    {
        var result = PlanLoader.Load("plan.yaml", Engine.EngineHarness.PlanText(Phases), new Dictionary<string, string>());

        Assert.True(result.IsValid, string.Join("\n", result.Errors));
        Assert.Null(result.Plan!.Fingerprint);
    }

    [Fact]
    public void Load_BadFingerprint_EveryErrorPositioned()
    {
        // Given a fingerprint mapping with a mistake in every key
        var text = Engine.EngineHarness.PlanText("""
            fingerprint:
              paths: [etc/shopd]
              suid-dir: [/usr/bin]
              services: ["bad name"]
              databases:
                - {engine: postgresql}
                - {engine: sqlite, path: /a.db, colour: red}
              expect-differences:
                - {what: "filez:/var/log/**", reason: logs}
                - {what: "packages:shopd"}
                - {reason: nothing}
            """ + "\n" + Phases);

        // When
        var result = PlanLoader.Load("plan.yaml", text, new Dictionary<string, string>());

        // Then every problem is reported, at its key
        var errors = result.Errors.Select(e => e.ToString()).ToList();
        Assert.False(result.IsValid);
        Assert.Contains(errors, e => e.StartsWith("plan.yaml:11:10", StringComparison.Ordinal) && e.Contains("'etc/shopd' is not an absolute path", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("unknown key 'suid-dir' in 'fingerprint'; did you mean 'suid-dirs'?", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("'bad name' is not an init script's name", StringComparison.Ordinal) && e.Contains("fingerprint.services", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("unknown key 'colour'", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("unknown section 'filez'", StringComparison.Ordinal) && e.Contains("fingerprint.expect-differences", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("'packages:shopd' needs a reason", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("'expect-differences[2]' needs 'what'", StringComparison.Ordinal));
    }

    [Fact]
    public void Load_DatabaseWithoutName_ReportedAtDatabases()
    {
        var text = Engine.EngineHarness.PlanText("""
            fingerprint:
              databases:
                - {engine: postgresql}
            """ + "\n" + Phases);

        var result = PlanLoader.Load("plan.yaml", text, new Dictionary<string, string>());

        Assert.Contains(result.Errors, e => e.Message == "'databases[0]': a postgresql database needs 'name'" && e.Location.YamlPath == "fingerprint.databases");
    }

    [Fact]
    public void Schema_HasFingerprint()
    {
        var schema = PlanSchema.Build();

        var fingerprint = schema["properties"]!["fingerprint"]!;
        Assert.Equal(PlanKeys.Fingerprint, fingerprint["properties"]!.AsObject().Select(p => p.Key));
    }
}
