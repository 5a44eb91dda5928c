using System.Text;
using Downshift.Hosts;
using Downshift.IntegrationTests.TestSupport;
using Downshift.Plans;
using Downshift.Steps;
using Downshift.Steps.Config;
using Downshift.Steps.Release;
using Downshift.Steps.Service;

namespace Downshift.IntegrationTests.Shop;

/// <summary>
/// The shop plan's changing steps on a real shopd under supervisord, driven one phase at a time
/// through a transport that counts commands: every command is an sshd channel, a bash and often a
/// Python supervisorctl on a real host, so their number is the step's cost in the downtime.
/// </summary>
public sealed class ShopStepCommandTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task DowngradeThenUndo_ShopSteps_FewCommandsEach()
    {
        // Given shopd 2.3.0 running under its supervisord
        await using var shop = await ShopInstall.StartAsync();
        var host = new CountingTransport(new LocalTransport(TimeProvider.System));
        var supervisor = Path.Combine(shop.Prefix, "supervisord.conf");
        var steps = new (string Id, string Kind, StepOptions Options)[]
        {
            ("stop", "service", new ServiceOptions { Name = "shopd", Action = ServiceAction.Stop, Manager = "supervisor", SupervisorConfig = supervisor }),
            ("release", "release", new ReleaseOptions { Archive = Path.Combine(shop.Prefix, "dist", "shopd-2.1.0.tar.gz"), Root = shop.Prefix, Version = "2.1.0" }),
            ("config", "config", new ConfigOptions { Path = shop.ConfigPath, Format = ConfigFormat.KeyValue, Remove = ["middleware_compat"] }),
            ("start", "service", new ServiceOptions { Name = "shopd", Action = ServiceAction.Start, Manager = "supervisor", SupervisorConfig = supervisor, Port = shop.Port }),
        };
        var report = new StringBuilder("step     check prepare execute undo\n");
        var run = new List<(IStepExecutor Executor, StepContext Context, UndoData Prepared, int[] Counts)>();

        // When each step is checked, prepared and executed as the engine does
        foreach (var (id, kind, options) in steps)
        {
            var executor = StepKinds.Find(kind)!.CreateExecutor(options);
            var context = Context(host, shop, id, kind, options);
            var counts = new int[4];
            host.Take();
            Assert.NotEqual(CheckResult.Done, await executor.CheckAsync(context, TestContext.Current.CancellationToken).WaitAsync(Timeout, TestContext.Current.CancellationToken));
            counts[0] = host.Take();
            var prepared = await executor.PrepareAsync(context, TestContext.Current.CancellationToken).WaitAsync(Timeout, TestContext.Current.CancellationToken);
            counts[1] = host.Take();
            var outcome = await executor.ExecuteAsync(context, prepared, TestContext.Current.CancellationToken).WaitAsync(Timeout, TestContext.Current.CancellationToken);
            counts[2] = host.Take();
            Assert.True(outcome.IsSuccess, $"{id}: {outcome.Detail}");
            run.Add((executor, context, prepared, counts));
        }

        // Then 2.1.0 answers
        Assert.Equal("2.1.0", await shop.VersionAsync());

        // When every step is undone, last first
        foreach (var (executor, context, prepared, counts) in Enumerable.Reverse(run))
        {
            host.Take();
            var undone = await executor.UndoAsync(context, prepared, TestContext.Current.CancellationToken).WaitAsync(Timeout, TestContext.Current.CancellationToken);
            counts[3] = host.Take();
            Assert.True(undone.IsSuccess, $"{context.Step.Id} undo: {undone.Detail}");
        }

        // Then 2.3.0 answers again (the stop's undo is a start that knows no port: shopd may need a moment to
        // listen after supervisord calls it running); the command counts go to the test output
        await Poll.UntilAsync(async () => await shop.VersionAsync() == "2.3.0", Timeout, "shopd 2.3.0 answering after the undo", TestContext.Current.CancellationToken);
        foreach (var (_, context, _, counts) in run)
        {
            report.Append(FormattableString.Invariant($"{context.Step.Id,-8} {counts[0],5} {counts[1],7} {counts[2],7} {counts[3],4}\n"));
        }

        TestContext.Current.TestOutputHelper?.WriteLine(report.ToString());
        var total = run.ToDictionary(r => r.Context.Step.Id, r => r.Counts[0] + r.Counts[1] + r.Counts[2]);
        Assert.True(total["stop"] <= 2, report.ToString());
        Assert.True(total["start"] <= 2, report.ToString());
        Assert.True(total["release"] <= 3, report.ToString());
        Assert.True(total["config"] <= 4, report.ToString());
    }

    private static StepContext Context(IHostTransport host, ShopInstall shop, string id, string kind, StepOptions options) => new()
    {
        Host = host,
        RunId = "run-1",
        Step = new PlanStep { Id = id, Kind = kind, Phase = "test", Index = 0, Options = options, Undo = UndoSpec.Derived },
        WorkDirectory = Path.Combine(shop.StateDirectory, "work", id),
        PlanDirectory = shop.Prefix,
        Time = TimeProvider.System,
    };
}
