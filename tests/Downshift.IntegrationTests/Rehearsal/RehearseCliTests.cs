using System.Text.Json;
using System.Text.RegularExpressions;
using Downshift.IntegrationTests.TestSupport;

namespace Downshift.IntegrationTests.Rehearsal;

/// <summary>
/// Issue 5 §5 (P8, P9), end to end on a real lab host: <c>downshift rehearse</c> of the shop's fleet plan
/// restricted to h1 fingerprints h1, downgrades it to 2.1.0 over SSH, rolls it back and proves the host
/// is back where it started (its declared log growth expected, nothing else different); then
/// <c>run --require-rehearsal</c> accepts that exact file and refuses an edited copy (another hash).
/// </summary>
public sealed partial class RehearseCliTests(RehearsalLab lab) : IClassFixture<RehearsalLab>, IDisposable
{
    private static readonly TimeSpan RunLimit = TimeSpan.FromMinutes(5);
    private readonly TempDirectory work = new("downshift-rehearse-");

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => work.Dispose();

    [Fact]
    public async Task Rehearse_ShopPlanOnH1_PassesThenRequireRehearsalAcceptsThatFileAndRefusesAnEditedCopy()
    {
        // Given shopd 2.3.0 running on h1, and the fleet plan for h1 alone, fingerprinting shopd's config and log
        await lab.SetUpShopAsync("h1");
        var plan = await WritePlanAsync("plan.yaml", "");

        // When it is rehearsed
        var rehearse = await CliAsync(["rehearse", plan, "--json", .. lab.CliHostOptions]);

        // Then it passed: the run succeeded, the rollback ended rolled-back, and h1 shows no unexpected difference
        Assert.True(rehearse.ExitCode == 0, rehearse.ToString());
        Assert.Matches(PassedLine(), rehearse.Stderr);
        var rehearsal = JsonDocument.Parse(rehearse.Stdout).RootElement.GetProperty("rehearsal");
        Assert.True(rehearsal.GetProperty("passed").GetBoolean(), rehearsal.ToString());
        Assert.Equal("succeeded", rehearsal.GetProperty("runStatus").GetString());
        Assert.Equal("rolled-back", rehearsal.GetProperty("rollbackStatus").GetString());
        var host = Assert.Single(rehearsal.GetProperty("hosts").EnumerateArray());
        Assert.Equal(0, host.GetProperty("unexpected").GetInt32());
        Assert.All(host.GetProperty("differences").EnumerateArray(), d => Assert.Equal("files:/var/log/shopd.log", d.GetProperty("expectedBy").GetString()));

        // And h1 is on 2.3.0 again, not held, with the admin's config, serving
        Assert.Equal("2.3.0 ii", await OnHostAsync("dpkg-query -W -f '${Version} ${db:Status-Abbrev}' shopd"));
        Assert.Equal("", await OnHostAsync("apt-mark showhold shopd"));
        Assert.Contains("middleware_compat=lenient", await OnHostAsync("cat /etc/shopd/shopd.conf"), StringComparison.Ordinal);
        Assert.Contains("\"2.3.0\"", await OnHostAsync("curl -fsS http://127.0.0.1:8080/health"), StringComparison.Ordinal);

        // When an edited copy (another hash: it asks for a rehearsal itself) is run, with and without --require-rehearsal
        var edited = await WritePlanAsync("plan-edited.yaml", "require-rehearsal: true\n");
        var refusedByOption = await CliAsync(["run", edited, "--require-rehearsal", .. lab.CliHostOptions]);
        var refusedByPlan = await CliAsync(["run", edited, .. lab.CliHostOptions]);

        // Then both are refused before touching h1, saying how to rehearse it
        Assert.True(refusedByOption.ExitCode == 5, refusedByOption.ToString());
        Assert.Contains("never been rehearsed", refusedByOption.Stderr, StringComparison.Ordinal);
        Assert.Contains("downshift rehearse", refusedByOption.Stderr, StringComparison.Ordinal);
        Assert.True(refusedByPlan.ExitCode == 5, refusedByPlan.ToString());
        Assert.Contains("require-rehearsal: true", refusedByPlan.Stderr, StringComparison.Ordinal);
        Assert.Equal("2.3.0 ii", await OnHostAsync("dpkg-query -W -f '${Version} ${db:Status-Abbrev}' shopd"));

        // When the rehearsed file itself runs with --require-rehearsal
        var run = await CliAsync(["run", plan, "--require-rehearsal", "--json", .. lab.CliHostOptions]);

        // Then it is accepted and h1 is downgraded
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal("2.1.0 hi", await OnHostAsync("dpkg-query -W -f '${Version} ${db:Status-Abbrev}' shopd"));
        var runId = JsonDocument.Parse(run.Stdout).RootElement.GetProperty("run").GetString()!;
        var rollback = await CliAsync(["rollback", runId, .. lab.CliHostOptions]);
        Assert.True(rollback.ExitCode == 3, rollback.ToString());

        // And the run itself proved its work with the plan's fingerprint: permissions as before, then the rollback
        var report = await CliAsync(["report", runId]);
        Assert.True(report.ExitCode == 0, report.ToString());
        Assert.Contains("## State proof (fingerprints)", report.Stdout, StringComparison.Ordinal);
        Assert.Contains("permissions (users, groups, sudoers, SUID files, modes and owners): equal to before the change", report.Stdout, StringComparison.Ordinal);
        Assert.Contains("rollback proven: the fingerprint equals the one before the change", report.Stdout, StringComparison.Ordinal);
    }

    /// <summary>examples/shop/fleet/plan.yaml for h1 alone (no canary or batches), with a fingerprint mapping and <paramref name="extra"/> top-level keys.</summary>
    private async Task<string> WritePlanAsync(string name, string extra)
    {
        var text = await File.ReadAllTextAsync(Path.Combine(RepoRoot.Shop, "fleet", "plan.yaml"), Ct);
        var strategy = text.IndexOf("# One host first", StringComparison.Ordinal);
        var vars = text.IndexOf("vars:", StringComparison.Ordinal);
        Assert.True(strategy > 0 && vars > strategy, "examples/shop/fleet/plan.yaml changed shape");
        text = text[..strategy] + extra + """
            fingerprint:
              paths: [/etc/shopd, /var/log/shopd.log]
              expect-differences:
                - {what: "files:/var/log/shopd.log", reason: "shopd logs every start and request; the run's checks add lines"}

            """ + text[vars..];
        text = text.Replace("hosts: [lab]", "hosts: [h1]", StringComparison.Ordinal);
        var path = work.Combine(name);
        await File.WriteAllTextAsync(path, text, Ct);
        return path;
    }

    [GeneratedRegex(@"(?m)^h1 rehearsal passed: 0 unexpected differences \(\d+ expected\)$")]
    private static partial Regex PassedLine();

    private Task<ProcessResult> CliAsync(string[] args) =>
        CliRunner.RunAsync(args, new Dictionary<string, string?> { ["DOWNSHIFT_JOURNAL"] = work.Combine("journal.db") }, timeout: RunLimit, cancellationToken: Ct);

    private async Task<string> OnHostAsync(string script) => (await lab.ExecAsync("h1", script, Ct)).Trim();
}
