using Downshift.Engine;
using Downshift.Hosts;
using Downshift.Journal;
using Downshift.Plans;

namespace Downshift.Tests.Engine;

/// <summary>
/// A real engine on this machine: SQLite journal and state directory in a temp dir, real bash through
/// <see cref="LocalTransport"/>. Plans get the variable <c>dir</c> (the temp dir) for their marker files.
/// </summary>
internal sealed class EngineHarness : IAsyncDisposable
{
    public static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    private readonly TempDirectory temp;

    private EngineHarness(TempDirectory temp, SqliteJournal journal)
    {
        this.temp = temp;
        Journal = journal;
    }

    public SqliteJournal Journal { get; }

    public string Dir => temp.Path;

    public string StateDirectory => temp.Combine("state");

    public string LogPath => temp.Combine("LOG");

    public string PlanPath => temp.Combine("plan.yaml");

    public IReadOnlyDictionary<string, string> Variables => new Dictionary<string, string> { ["dir"] = Dir };

    public EngineOptions Options => new() { Operator = "tester", StateDirectory = StateDirectory };

    public static async Task<EngineHarness> CreateAsync()
    {
        // The journal sits in its own folder of the temp dir, apart from the steps' marker files.
        var temp = new TempDirectory("downshift-engine-");
        var journal = await SqliteJournal.OpenAsync(temp.Combine("journal", "journal.db"), TimeProvider.System, Ct)
            .WaitAsync(Bound, Ct);
        return new EngineHarness(temp, journal);
    }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public RunEngine Engine(EngineOptions? options = null) =>
        new(Journal, new LocalConnector(TimeProvider.System), TimeProvider.System, SilentObserver.Instance, options ?? Options);

    /// <summary>The full plan text around <paramref name="phases"/> (YAML starting with <c>phases:</c>).</summary>
    public static string PlanText(string phases) => $"""
        downshift: 1
        name: engine-test
        reason:
          kind: other
          detail: engine tests
        scope:
          kind: system
        from: "2"
        to: "1"
        {phases}
        """;

    public (Plan Plan, string Text) Load(string phases)
    {
        var text = PlanText(phases);
        var result = PlanLoader.Load(PlanPath, text, Variables);
        Assert.True(result.IsValid, string.Join("\n", result.Errors));
        return (result.Plan!, text);
    }

    public Task<RunResult> RunAsync(string phases, RunControl? control = null)
    {
        var (plan, _) = Load(phases);
        return Engine().RunAsync(plan, control ?? RunControl.None).WaitAsync(Bound, Ct);
    }

    /// <summary>The lines the steps appended to LOG, in order (none when no step wrote).</summary>
    public IReadOnlyList<string> Log() =>
        File.Exists(LogPath) ? [.. File.ReadAllLines(LogPath).Where(l => l.Length > 0)] : [];

    public Task<IReadOnlyList<JournalRecord>> RecordsAsync(string runId) => Journal.ReadAsync(runId, Ct).WaitAsync(Bound, Ct);

    public async ValueTask DisposeAsync()
    {
        await Journal.DisposeAsync();
        temp.Dispose();
    }
}
