using Downshift.Engine;
using Downshift.Hosts;
using Downshift.Journal;

namespace Downshift.Tests.Engine;

/// <summary>
/// A connection that breaks mid-step (logic only: the transport below throws the SSH transport's
/// ConnectionLost). The real cuts over SSH to lab hosts are in the integration tests' ShopFleetCliTests:
/// SSH sessions killed under a step with a check, and a host's link taken down under a step with none.
/// </summary>
public sealed class ConnectionLostTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private const string Phases = """
        phases:
          - name: main
            steps:
              - id: a
                kind: shell
                command: "echo a >> {{ dir }}/LOG"
                undo: "echo undo-a >> {{ dir }}/LOG"
              - id: change
                kind: shell
                command: "echo change >> {{ dir }}/LOG && touch {{ dir }}/changed"
                CHECK
                undo: "echo undo-change >> {{ dir }}/LOG"
        """;

    private static async Task<RunResult> RunAsync(EngineHarness h, string check, bool runBeforeDrop)
    {
        var (plan, _) = h.Load(Phases.Replace("CHECK", check, StringComparison.Ordinal));
        var connector = new DroppingConnector("touch", runBeforeDrop);
        var engine = new RunEngine(h.Journal, connector, TimeProvider.System, SilentObserver.Instance, h.Options);
        return await engine.RunAsync(plan, RunControl.None).WaitAsync(EngineHarness.Bound, Ct);
    }

    [Fact]
    public async Task RunAsync_DroppedAfterTheCommandRanAndCheckSaysDone_SucceedsWithoutRunningItAgain()
    {
        await using var h = await EngineHarness.CreateAsync();

        var result = await RunAsync(h, "check: \"test -e {{ dir }}/changed\"", runBeforeDrop: true);

        Assert.Equal(RunStatus.Succeeded, result.Status);
        Assert.Equal(["a", "change"], h.Log());
        var records = await h.RecordsAsync(result.RunId);
        Assert.Contains(records, r => r.Event == JournalEvent.Note && r.Result!.Contains("check says Done", StringComparison.Ordinal));
    }

    [Fact]
    public async Task RunAsync_DroppedBeforeTheCommandRanAndCheckSaysNotDone_RunsItOnceMore()
    {
        await using var h = await EngineHarness.CreateAsync();

        var result = await RunAsync(h, "check: \"test -e {{ dir }}/changed\"", runBeforeDrop: false);

        Assert.Equal(RunStatus.Succeeded, result.Status);
        Assert.Equal(["a", "change"], h.Log());
        var records = await h.RecordsAsync(result.RunId);
        Assert.Contains(records, r => r.Event == JournalEvent.Note && r.Result!.Contains("check says NotDone", StringComparison.Ordinal));
    }

    [Fact]
    public async Task RunAsync_DroppedAndNoCheck_StepFailsAndRollsBackNeverRerun()
    {
        await using var h = await EngineHarness.CreateAsync();

        var result = await RunAsync(h, "", runBeforeDrop: true);

        Assert.Equal(RunStatus.RolledBack, result.Status);
        Assert.Contains("has no check", result.Summary, StringComparison.Ordinal);
        Assert.Equal(["a", "change", "undo-change", "undo-a"], h.Log());
    }

    /// <summary>Local bash; the first command containing <c>marker</c> throws ConnectionLost (after running it, or instead).</summary>
    private sealed class DroppingConnector(string marker, bool runBeforeDrop) : IHostConnector
    {
        private int dropped;

        private string Marker => marker;

        private bool RunBeforeDrop => runBeforeDrop;

        public Task<IHostTransport> ConnectAsync(HostEntry host, CancellationToken cancellationToken) =>
            Task.FromResult<IHostTransport>(new Transport(this, new LocalTransport(TimeProvider.System)));

        private sealed class Transport(DroppingConnector owner, LocalTransport inner) : IHostTransport
        {
            public string HostName => inner.HostName;

            public async Task<CommandResult> RunAsync(HostCommand command, CancellationToken cancellationToken)
            {
                if (command.Script.Contains(owner.Marker, StringComparison.Ordinal) && Interlocked.Exchange(ref owner.dropped, 1) == 0)
                {
                    if (owner.RunBeforeDrop)
                    {
                        await inner.RunAsync(command, cancellationToken);
                    }

                    throw DownshiftException.ConnectionLost(HostName, command.DisplayText);
                }

                return await inner.RunAsync(command, cancellationToken);
            }

            public ValueTask DisposeAsync() => inner.DisposeAsync();
        }
    }
}
