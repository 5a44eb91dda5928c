using Downshift.Journal;
using Downshift.Plans;
using Downshift.Rehearsals;

namespace Downshift.Tests.Rehearsals;

public sealed class RehearsalGateTests
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

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task RefusalAsync_NotRequired_NoRefusalWithoutAnyRehearsal()
    {
        // Given a plan that does not ask for a rehearsal, and an empty store
        var plan = Load(Phases);

        // When run without --require-rehearsal
        var refusal = await RehearsalGate.RefusalAsync(plan, requiredByCommand: false, new MemoryStore(), Ct);

        // Then nothing stops it
        Assert.Null(refusal);
    }

    [Fact]
    public async Task RefusalAsync_RequiredByCommandNoRehearsal_RefusedSayingHowToRehearse()
    {
        var plan = Load(Phases);

        var refusal = await RehearsalGate.RefusalAsync(plan, requiredByCommand: true, new MemoryStore(), Ct);

        Assert.NotNull(refusal);
        Assert.Contains("--require-rehearsal", refusal, StringComparison.Ordinal);
        Assert.Contains(plan.ContentHash, refusal, StringComparison.Ordinal);
        Assert.Contains("never been rehearsed", refusal, StringComparison.Ordinal);
        Assert.Contains("downshift rehearse plan.yaml --inventory TEST", refusal, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RefusalAsync_PlanSettingOnlyFailedRehearsals_RefusedNamingTheLastOne()
    {
        // Given a plan with require-rehearsal: true and one failed rehearsal of its exact hash
        var plan = Load("require-rehearsal: true\n" + Phases);
        var store = new MemoryStore();
        await store.AppendRehearsalAsync(Record(plan.ContentHash, passed: false, "run-failed"), Ct);

        // When run without the option
        var refusal = await RehearsalGate.RefusalAsync(plan, requiredByCommand: false, store, Ct);

        // Then the plan's own setting refuses it, naming the failed rehearsal
        Assert.NotNull(refusal);
        Assert.Contains("require-rehearsal: true", refusal, StringComparison.Ordinal);
        Assert.Contains("none passed (last: run run-failed", refusal, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RefusalAsync_PassingRehearsalOfTheExactHash_Accepted()
    {
        var plan = Load("require-rehearsal: true\n" + Phases);
        var store = new MemoryStore();
        await store.AppendRehearsalAsync(Record(plan.ContentHash, passed: false, "run-1"), Ct);
        await store.AppendRehearsalAsync(Record(plan.ContentHash, passed: true, "run-2"), Ct);

        Assert.Null(await RehearsalGate.RefusalAsync(plan, requiredByCommand: true, store, Ct));
    }

    [Fact]
    public async Task RefusalAsync_EditedPlan_PassingRehearsalOfTheOldTextDoesNotCount()
    {
        // Given a passing rehearsal of the plan, then an edit (a comment is enough: another hash)
        var original = Load(Phases);
        var edited = Load("# edited after the rehearsal\n" + Phases);
        var store = new MemoryStore();
        await store.AppendRehearsalAsync(Record(original.ContentHash, passed: true, "run-1"), Ct);

        // When each is run with --require-rehearsal
        var originalRefusal = await RehearsalGate.RefusalAsync(original, requiredByCommand: true, store, Ct);
        var editedRefusal = await RehearsalGate.RefusalAsync(edited, requiredByCommand: true, store, Ct);

        // Then only the rehearsed text may run
        Assert.NotEqual(original.ContentHash, edited.ContentHash);
        Assert.Null(originalRefusal);
        Assert.NotNull(editedRefusal);
    }

    [Fact]
    public void Load_RequireRehearsal_ReadAndDefaultsToFalse()
    {
        Assert.True(Load("require-rehearsal: true\n" + Phases).RequireRehearsal);
        Assert.False(Load("require-rehearsal: false\n" + Phases).RequireRehearsal);
        Assert.False(Load(Phases).RequireRehearsal);
    }

    [Fact]
    public void Load_RequireRehearsalNotABoolean_PositionedError()
    {
        var result = PlanLoader.Load("plan.yaml", Engine.EngineHarness.PlanText("require-rehearsal: always\n" + Phases), new Dictionary<string, string>());

        var error = Assert.Single(result.Errors);
        Assert.Equal("'require-rehearsal' must be true or false, not 'always'", error.Message);
        Assert.Equal(10, error.Location.Line);
        Assert.Equal("require-rehearsal", error.Location.YamlPath);
    }

    private static Plan Load(string body)
    {
        var result = PlanLoader.Load("plan.yaml", Engine.EngineHarness.PlanText(body), new Dictionary<string, string>());
        Assert.True(result.IsValid, string.Join("\n", result.Errors));
        return result.Plan!;
    }

    internal static RehearsalRecord Record(string hash, bool passed, string runId) => new()
    {
        PlanHash = hash,
        PlanName = "engine-test",
        RunId = runId,
        Passed = passed,
        Operator = "alice",
        Time = new DateTimeOffset(2026, 12, 4, 12, 0, 0, TimeSpan.Zero),
        Data = "{}",
    };

    private sealed class MemoryStore : IRehearsalStore
    {
        private readonly List<RehearsalRecord> records = [];

        public Task<RehearsalRecord> AppendRehearsalAsync(RehearsalRecord record, CancellationToken cancellationToken)
        {
            var stored = record with { Sequence = records.Count + 1 };
            records.Add(stored);
            return Task.FromResult(stored);
        }

        public Task<IReadOnlyList<RehearsalRecord>> ListRehearsalsAsync(string planHash, CancellationToken cancellationToken) =>
            Task.FromResult<IReadOnlyList<RehearsalRecord>>([.. records.Where(r => r.PlanHash == planHash)]);
    }
}
