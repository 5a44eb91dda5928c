using Downshift.Engine;
using Downshift.Hosts;
using Downshift.Journal;
using Downshift.Steps;

namespace Downshift.Tests.Engine;

/// <summary>Inventory variables survive a restart: a resumed step still expands <c>{{ host.vars.NAME }}</c>; secrets are never stored.</summary>
public sealed class HostVarsResumeTests
{
    private const string Phases = """
        phases:
          - name: main
            steps:
              - id: a
                kind: shell
                command: "echo a-{{ host.vars.color }} >> {{ dir }}/LOG"
                check: "grep -q a- {{ dir }}/LOG"
                undo: "true"
              - id: b
                kind: shell
                command: "echo b-{{ host.vars.color }} >> {{ dir }}/LOG"
                undo: "true"
        """;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Resume_StepUsingAnInventoryVariable_ExpandsItFromTheJournalAndStoresNoSecret()
    {
        // Given a host with an inventory variable and a password, and a run that dies as step b starts
        await using var h = await EngineHarness.CreateAsync();
        var (plan, _) = h.Load(Phases);
        plan = plan with
        {
            HostEntries = [HostEntry.Local with { Vars = new Dictionary<string, string> { ["color"] = "blue", ["ansible_password"] = "s3cret-pw" } }],
        };
        var dying = new DyingJournal(h.Journal, r => r is { Event: JournalEvent.StepStarted, StepIndex: 1 });
        var first = new RunEngine(dying, new LocalConnector(TimeProvider.System), TimeProvider.System, SilentObserver.Instance, h.Options);
        await Assert.ThrowsAsync<IOException>(() => first.RunAsync(plan, RunControl.None).WaitAsync(EngineHarness.Bound, Ct));
        var runId = (await h.Journal.ListRunsAsync(Ct)).Single().RunId;

        // When it is resumed by a new engine that has only the journal
        var result = await h.Engine().ResumeAsync(runId, new Dictionary<string, CheckResult>(), RunControl.None).WaitAsync(EngineHarness.Bound, Ct);

        // Then step b expanded the variable, and the password is nowhere in the journal
        Assert.True(result.Status == RunStatus.Succeeded, $"{result.Status}: {result.Summary}");
        Assert.Equal(["a-blue", "b-blue"], h.Log());
        var records = await h.RecordsAsync(runId);
        Assert.Contains("\"color\":\"blue\"", records.Single(r => r.Event == JournalEvent.RunStarted).Data, StringComparison.Ordinal);
        Assert.DoesNotContain(records, r => $"{r.Data}{r.Command}{r.Result}{r.Output}".Contains("s3cret-pw", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("ansible_password", true)]
    [InlineData("ansible_become_pass", true)]
    [InlineData("API_TOKEN", true)]
    [InlineData("db_secret", true)]
    [InlineData("ssh_private_key_file", true)]
    [InlineData("color", false)]
    [InlineData("http_port", false)]
    public void IsSecretName_InventoryVariableNames_SecretLookingOnesAreNotStored(string name, bool secret) =>
        Assert.Equal(secret, HostEntryJson.IsSecretName(name));
}
