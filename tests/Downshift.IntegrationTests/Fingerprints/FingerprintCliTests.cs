using System.Text.Json;
using Downshift.IntegrationTests.TestSupport;

namespace Downshift.IntegrationTests.Fingerprints;

/// <summary>
/// <c>downshift fingerprint</c> and <c>downshift diff</c> as an operator runs them, against the lab's
/// hosts over SSH: fingerprints written as files, a summary line per host, and diff's exit codes (0 when
/// every difference was declared, 1 when one was not, 2 for a malformed declaration).
/// </summary>
[Collection(FingerprintLabCollection.Name)]
public sealed class FingerprintCliTests(FingerprintLab lab) : IDisposable
{
    private readonly TempDirectory work = new("downshift-fingerprint-cli-");

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => work.Dispose();

    [Fact]
    public async Task FingerprintThenDiff_ChangedMode_UnexpectedExit1ExpectedExit0()
    {
        // Given both hosts fingerprinted into a directory
        var before = work.Combine("before");
        var taken = await CliAsync(["fingerprint", "h1", "h2", "--path", "/etc/ssh", "-o", before]);
        Assert.True(taken.ExitCode == 0, taken.ToString());
        Assert.Matches(@"(?m)^h1: packages \d+, files \d+, services \d+, users \d+, groups \d+, sudoers \d+, ports \d+, suid 0, databases 0 \(unavailable: services/systemd\); 1 command, [\d.]+ s -> ", taken.Stdout);
        Assert.True(File.Exists(Path.Combine(before, "h1.json")) && File.Exists(Path.Combine(before, "h2.json")), taken.ToString());
        var h1 = Path.Combine(before, "h1.json");

        // Then a fingerprint against itself has no difference (exit 0)
        var same = await CliAsync(["diff", h1, h1]);
        Assert.True(same.ExitCode == 0, same.ToString());
        Assert.Contains("h1 (", same.Stdout, StringComparison.Ordinal);
        Assert.Contains("0 differences, 0 unexpected, 0 expected", same.Stdout, StringComparison.Ordinal);

        try
        {
            // When a config file's mode changes on h1 and h1 is fingerprinted again into one file
            await lab.ExecAsync("h1", "chmod 600 /etc/ssh/moduli", Ct);
            var after = work.Combine("after-h1.json");
            Assert.Equal(0, (await CliAsync(["fingerprint", "h1", "--path", "/etc/ssh", "-o", after])).ExitCode);

            // Then diff names it, one grep-able line, and exits 1
            var changed = await CliAsync(["diff", h1, after]);
            Assert.True(changed.ExitCode == 1, changed.ToString());
            Assert.Contains("unexpected files /etc/ssh/moduli mode=0644 -> mode=0600\n", changed.Stdout, StringComparison.Ordinal);

            // And declared, it is expected (exit 0), with the declaration in the line and in the JSON
            var declared = await CliAsync(["diff", h1, after, "--expect", "files:/etc/ssh/moduli=the test chmods it", "--json"]);
            Assert.True(declared.ExitCode == 0, declared.ToString());
            Assert.Contains("expected files /etc/ssh/moduli mode=0644 -> mode=0600 (by 'files:/etc/ssh/moduli': the test chmods it)", declared.Stderr, StringComparison.Ordinal);
            var json = JsonDocument.Parse(declared.Stdout).RootElement;
            Assert.Equal(0, json.GetProperty("unexpected").GetInt32());
            var difference = Assert.Single(json.GetProperty("differences").EnumerateArray());
            Assert.Equal(("files", "/etc/ssh/moduli", "the test chmods it"), (difference.GetProperty("section").GetString(), difference.GetProperty("key").GetString(), difference.GetProperty("reason").GetString()));

            // And a declaration without a reason is refused (exit 2)
            var malformed = await CliAsync(["diff", h1, after, "--expect", "files:/etc/ssh/moduli"]);
            Assert.True(malformed.ExitCode == 2, malformed.ToString());
            Assert.Contains("SECTION:GLOB=REASON", malformed.Stderr, StringComparison.Ordinal);
        }
        finally
        {
            await lab.ExecAsync("h1", "chmod 644 /etc/ssh/moduli", Ct);
        }
    }

    [Fact]
    public async Task FingerprintPlan_ItsPathsAndExpectations_UsedByFingerprintAndDiff()
    {
        // Given a plan whose fingerprint mapping declares a path, an init script and an expected difference
        var plan = work.Combine("plan.yaml");
        await File.WriteAllTextAsync(plan, """
            downshift: 1
            name: fingerprint-cli
            reason: {kind: other, detail: fingerprint test}
            scope: {kind: system}
            from: "2.3.0"
            to: "2.1.0"
            hosts: [h1]
            fingerprint:
              paths: [/etc/ssh/sshd_config]
              services: [ssh]
              expect-differences:
                - {what: "files:/etc/ssh/sshd_config", reason: the test edits it}
            phases:
              - name: main
                steps:
                  - {id: a, kind: shell, command: "true", undo: none, undo-reason: test}
            """, Ct);

        // When its hosts are fingerprinted, the file changes, and they are fingerprinted again
        var before = work.Combine("before");
        var after = work.Combine("after");
        Assert.Equal(0, (await CliAsync(["fingerprint", plan, "-o", before])).ExitCode);
        try
        {
            await lab.ExecAsync("h1", "echo '# edited' >> /etc/ssh/sshd_config", Ct);
            Assert.Equal(0, (await CliAsync(["fingerprint", plan, "-o", after])).ExitCode);
        }
        finally
        {
            await lab.ExecAsync("h1", "sed -i '/^# edited$/d' /etc/ssh/sshd_config", Ct);
        }

        // Then the plan's paths and services were recorded, and with --plan the change is expected (exit 0)
        var json = await File.ReadAllTextAsync(Path.Combine(before, "h1.json"), Ct);
        Assert.Contains("\"/etc/ssh/sshd_config\": {", json, StringComparison.Ordinal);
        Assert.Contains("\"lsb:ssh\": {", json, StringComparison.Ordinal);
        var without = await CliAsync(["diff", Path.Combine(before, "h1.json"), Path.Combine(after, "h1.json")]);
        Assert.True(without.ExitCode == 1, without.ToString());
        var with = await CliAsync(["diff", Path.Combine(before, "h1.json"), Path.Combine(after, "h1.json"), "--plan", plan]);
        Assert.True(with.ExitCode == 0, with.ToString());
        Assert.Contains("expected files /etc/ssh/sshd_config sha256=", with.Stdout, StringComparison.Ordinal);
    }

    private Task<ProcessResult> CliAsync(string[] args) =>
        CliRunner.RunAsync([.. args, .. lab.CliHostOptions], cancellationToken: Ct);
}
