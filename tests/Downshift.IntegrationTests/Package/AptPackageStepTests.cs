using Downshift.IntegrationTests.Lab;
using Downshift.Steps;
using Downshift.Steps.Package;

namespace Downshift.IntegrationTests.Package;

/// <summary>The package step with real apt/dpkg on a lab host: shopd 2.3.0 down to 2.1.0 and back.</summary>
[Collection(PackageLab.Collection)]
public sealed class AptPackageStepTests(PackageLab lab)
{
    private const string Host = "h1";
    private const string Work = "/var/lib/downshift/runs/run-1/001-downgrade-shopd";
    private const string Conf = "/etc/shopd/shopd.conf";

    /// <summary>An admin's edit of 2.3.0's conffile: dpkg must keep it and put 2.1.0's beside it as .dpkg-dist.</summary>
    private const string EditedConf = "port=8080\nbind=0.0.0.0\ndb=/var/lib/shopd/orders.db\nmiddleware_compat=lenient\n";

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task StageExecuteUndo_Downgrade_KeepsEditedConffileHoldsAndRollsBackWithoutTheRepository()
    {
        // Given shopd 2.3.0 installed with an edited conffile
        await InstallAsync("2.3.0", editConf: true);
        var executor = Executor(new PackageOptions { Name = "shopd", Version = "2.1.0" });
        var context = lab.Context(Host, Work, Options("2.1.0"));

        // When staged: both packages are saved on the host, nothing changes
        var staged = await Stage(executor).StageAsync(context, Token).WaitAsync(PackageLab.Timeout, Token);
        TestContext.Current.TestOutputHelper?.WriteLine($"staged: {staged.Detail}");
        Assert.True(staged.IsSuccess, staged.Detail);
        Assert.Contains("no other package changes", staged.Detail, StringComparison.Ordinal);
        Assert.Equal("shopd_2.1.0.deb\nshopd_2.3.0.deb", (await lab.CheckedExecAsync(Host, $"cd {Work} && ls *.deb")).Trim());
        Assert.Equal("2.3.0 ii ", await StatusAsync());
        var restaged = await Stage(executor).StageAsync(context, Token).WaitAsync(PackageLab.Timeout, Token);
        Assert.True(restaged.IsSuccess, restaged.Detail);
        Assert.Contains("kept from an earlier staging", restaged.Detail, StringComparison.Ordinal);

        // And 2.3.0 disappears from the repository and from the host's apt cache and index
        var served = Path.Combine(lab.RepositoryDirectory, "deb", "shopd_2.3.0_all.deb");
        var aside = served + ".aside";
        File.Move(served, aside);
        try
        {
            await lab.RescanAsync();
            await lab.CheckedExecAsync(Host, "apt-get update -q >/dev/null && apt-get clean");
            Assert.False((await lab.ExecAsync(Host, "cd /tmp && apt-get download shopd=2.3.0")).Succeeded);

            // When checked, prepared, executed
            Assert.Equal(CheckResult.NotDone, await executor.CheckAsync(context, Token).WaitAsync(PackageLab.Timeout, Token));
            var prepared = await executor.PrepareAsync(context, Token).WaitAsync(PackageLab.Timeout, Token);
            var outcome = await executor.ExecuteAsync(context, prepared, Token).WaitAsync(PackageLab.Timeout, Token);

            // Then 2.1.0 is installed and held, the edited conffile kept, 2.1.0's beside it
            TestContext.Current.TestOutputHelper?.WriteLine($"outcome: {outcome.Detail}");
            Assert.True(outcome.IsSuccess, outcome.Detail);
            Assert.Contains($"{Conf}.dpkg-dist", outcome.Detail, StringComparison.Ordinal);
            Assert.Equal("2.1.0 hi ", await StatusAsync());
            Assert.Equal("shopd", (await lab.CheckedExecAsync(Host, "apt-mark showhold")).Trim());
            Assert.Equal(EditedConf, await lab.CheckedExecAsync(Host, $"cat {Conf}"));
            Assert.DoesNotContain("middleware_compat", await lab.CheckedExecAsync(Host, $"cat {Conf}.dpkg-dist"), StringComparison.Ordinal);
            Assert.Equal(CheckResult.Done, await executor.CheckAsync(context, Token).WaitAsync(PackageLab.Timeout, Token));

            // When undone twice (2.3.0 comes only from the package saved at staging)
            var undo = await executor.UndoAsync(context, prepared, Token).WaitAsync(PackageLab.Timeout, Token);
            var again = await executor.UndoAsync(context, prepared, Token).WaitAsync(PackageLab.Timeout, Token);

            // Then 2.3.0 is back, not held, the conffile unchanged, the .dpkg-dist gone
            TestContext.Current.TestOutputHelper?.WriteLine($"undo: {undo.Detail}");
            Assert.True(undo.IsSuccess, undo.Detail);
            Assert.True(again.IsSuccess, again.Detail);
            Assert.Equal("2.3.0 ii ", await StatusAsync());
            Assert.Equal("", (await lab.CheckedExecAsync(Host, "apt-mark showhold")).Trim());
            Assert.Equal(EditedConf, await lab.CheckedExecAsync(Host, $"cat {Conf}"));
            Assert.Equal("", (await lab.CheckedExecAsync(Host, $"ls {Conf}.dpkg-* 2>/dev/null || true")).Trim());
        }
        finally
        {
            File.Move(aside, served);
            await lab.RescanAsync();
        }
    }

    [Fact]
    public async Task ExecuteUndo_BrokenPostinst_FailsThenUndoRestoresThePreviousVersion()
    {
        // Given shopd 2.3.0, and 2.2.0 whose postinst exits 1
        await InstallAsync("2.3.0", editConf: false);
        var executor = Executor(new PackageOptions { Name = "shopd", Version = "2.2.0" });
        var context = lab.Context(Host, Work + "-broken", Options("2.2.0"));

        // When prepared without staging first (prepare stages itself, still before the change) and executed
        var prepared = await executor.PrepareAsync(context, Token).WaitAsync(PackageLab.Timeout, Token);
        var outcome = await executor.ExecuteAsync(context, prepared, Token).WaitAsync(PackageLab.Timeout, Token);

        // Then the step fails and dpkg has 2.2.0 half-configured
        TestContext.Current.TestOutputHelper?.WriteLine($"outcome: {outcome.Detail}");
        Assert.False(outcome.IsSuccess);
        Assert.Contains("2.2.0", outcome.Detail, StringComparison.Ordinal);
        Assert.Contains("post-installation script", outcome.Detail, StringComparison.Ordinal);
        Assert.DoesNotContain("apt-get install does the change", outcome.Detail, StringComparison.Ordinal);
        Assert.Equal("2.2.0 iF ", await StatusAsync());
        Assert.Equal("shopd_2.2.0.deb\nshopd_2.3.0.deb", (await lab.CheckedExecAsync(Host, $"cd {Work}-broken && ls *.deb")).Trim());

        // When undone: 2.3.0 is back and configured, not held
        var undo = await executor.UndoAsync(context, prepared, Token).WaitAsync(PackageLab.Timeout, Token);
        TestContext.Current.TestOutputHelper?.WriteLine($"undo: {undo.Detail}");
        Assert.True(undo.IsSuccess, undo.Detail);
        Assert.Equal("2.3.0 ii ", await StatusAsync());
        Assert.Equal("", (await lab.CheckedExecAsync(Host, "apt-mark showhold")).Trim());
    }

    [Fact]
    public async Task Stage_ChangeThatWouldRemoveAPackage_IsRefusedAndChangesNothing()
    {
        // Given shopd 2.3.0 and an add-on that needs shopd >= 2.3.0
        await InstallAsync("2.3.0", editConf: false);
        await AddOnAsync();
        var executor = Executor(new PackageOptions { Name = "shopd", Version = "2.1.0", AllowChanges = ["shopd-reports"] });
        var context = lab.Context(Host, Work + "-refused", Options("2.1.0"));

        // When staged
        var staged = await Stage(executor).StageAsync(context, Token).WaitAsync(PackageLab.Timeout, Token);

        // Then staging fails naming the removal (allow-changes does not allow removals), and nothing changed
        TestContext.Current.TestOutputHelper?.WriteLine($"staged: {staged.Detail}");
        Assert.False(staged.IsSuccess);
        Assert.Contains("it would REMOVE shopd-reports 1.0", staged.Detail, StringComparison.Ordinal);
        Assert.Equal("2.3.0 ii ", await StatusAsync());
        Assert.Equal("1.0 ii ", (await lab.CheckedExecAsync(Host, "dpkg-query -W -f '${Version} ${db:Status-Abbrev}' shopd-reports")).TrimEnd('\n'));
        await lab.CheckedExecAsync(Host, "dpkg --purge shopd-reports >/dev/null");
    }

    [Fact]
    public async Task ExecuteUndo_ConffilesNew_TakesThePackagesFileThenUndoPutsTheAdminsBackExactly()
    {
        // Given shopd 2.3.0 with an edited conffile, and a step that takes the package's conffile, without hold
        await InstallAsync("2.3.0", editConf: true);
        var options = new PackageOptions { Name = "shopd", Version = "2.1.0", Conffiles = ConffilePolicy.New, Hold = false };
        var (executor, context, _) = await StagedAsync(options, "-confnew");

        // When checked, prepared and executed
        Assert.Equal(CheckResult.NotDone, await executor.CheckAsync(context, Token).WaitAsync(PackageLab.Timeout, Token));
        var prepared = await executor.PrepareAsync(context, Token).WaitAsync(PackageLab.Timeout, Token);
        var outcome = await executor.ExecuteAsync(context, prepared, Token).WaitAsync(PackageLab.Timeout, Token);

        // Then 2.1.0's conffile is in place, the admin's is .dpkg-old, nothing is held
        Assert.True(outcome.IsSuccess, outcome.Detail);
        Assert.Contains($"{Conf}.dpkg-old", outcome.Detail, StringComparison.Ordinal);
        Assert.Equal("2.1.0 ii ", await StatusAsync());
        Assert.DoesNotContain("middleware_compat", await lab.CheckedExecAsync(Host, $"cat {Conf}"), StringComparison.Ordinal);
        Assert.Equal(EditedConf, await lab.CheckedExecAsync(Host, $"cat {Conf}.dpkg-old"));

        // When undone (the rollback)
        var undo = await executor.UndoAsync(context, prepared, Token).WaitAsync(PackageLab.Timeout, Token);

        // Then 2.3.0 is back with the admin's conffile, byte for byte, and no .dpkg-* beside it
        TestContext.Current.TestOutputHelper?.WriteLine($"undo: {undo.Detail}");
        Assert.True(undo.IsSuccess, undo.Detail);
        Assert.Equal("2.3.0 ii ", await StatusAsync());
        Assert.Equal(EditedConf, await lab.CheckedExecAsync(Host, $"cat {Conf}"));
        Assert.Equal("", (await lab.CheckedExecAsync(Host, $"ls {Conf}.dpkg-* 2>/dev/null || true")).Trim());

        // And the file the undo replaced (the package's, taken by the change) is kept in the run's work directory, not lost
        Assert.Contains($"the files they replaced are kept: {Conf} as ", undo.Detail ?? "", StringComparison.Ordinal);
        var replaced = await lab.CheckedExecAsync(Host, $"cat {Work}-confnew/conffiles.replaced{Conf}");
        Assert.NotEqual(EditedConf, replaced);
        Assert.Contains("port=", replaced, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Undo_PackageRemovedBeforeWithEditedConffile_RemovesItAgainAndKeepsTheAdminsConffile()
    {
        // Given shopd removed (not purged: "rc") with the admin's edited conffile left on the host
        await InstallAsync("2.3.0", editConf: true);
        await lab.CheckedExecAsync(Host, "dpkg --remove shopd >/dev/null");
        Assert.Equal("2.3.0 rc ", await StatusAsync());
        var options = new PackageOptions { Name = "shopd", Version = "2.1.0", Conffiles = ConffilePolicy.New, Hold = false };
        var (executor, context, _) = await StagedAsync(options, "-absent");

        // When checked, prepared, executed and undone
        Assert.Equal(CheckResult.NotDone, await executor.CheckAsync(context, Token).WaitAsync(PackageLab.Timeout, Token));
        var prepared = await executor.PrepareAsync(context, Token).WaitAsync(PackageLab.Timeout, Token);
        var outcome = await executor.ExecuteAsync(context, prepared, Token).WaitAsync(PackageLab.Timeout, Token);
        Assert.True(outcome.IsSuccess, outcome.Detail);
        Assert.Equal("2.1.0 ii ", await StatusAsync());
        var undo = await executor.UndoAsync(context, prepared, Token).WaitAsync(PackageLab.Timeout, Token);

        // Then shopd is removed again, not purged: the admin's conffile is there, exactly, with nothing beside it
        TestContext.Current.TestOutputHelper?.WriteLine($"undo: {undo.Detail}");
        Assert.True(undo.IsSuccess, undo.Detail);
        Assert.EndsWith("rc ", await StatusAsync(), StringComparison.Ordinal);
        Assert.Equal(EditedConf, await lab.CheckedExecAsync(Host, $"cat {Conf}"));
        Assert.Equal("", (await lab.CheckedExecAsync(Host, $"ls {Conf}.dpkg-* 2>/dev/null || true")).Trim());
    }

    [Fact]
    public async Task Execute_DependentInstalledAfterStaging_AptRemovesNothingAndTheStepFails()
    {
        // Given a downgrade staged while shopd changed alone (so execute tries dpkg -i first)
        await InstallAsync("2.3.0", editConf: false);
        var (executor, context, staged) = await StagedAsync(Options("2.1.0"), "-dependent");
        Assert.Contains("no other package changes", staged.Detail, StringComparison.Ordinal);

        // And then, before the change, a package that needs shopd >= 2.3.0 arrives
        await AddOnAsync();

        // When prepared and executed
        var prepared = await executor.PrepareAsync(context, Token).WaitAsync(PackageLab.Timeout, Token);
        var outcome = await executor.ExecuteAsync(context, prepared, Token).WaitAsync(PackageLab.Timeout, Token);

        // Then apt, not dpkg alone, weighed the dependent and was not allowed to remove it: the step fails, both stay as they were
        TestContext.Current.TestOutputHelper?.WriteLine($"outcome: {outcome.Detail}");
        Assert.False(outcome.IsSuccess);
        Assert.Contains("remove is disabled", outcome.Detail, StringComparison.Ordinal);
        Assert.Equal("2.3.0 ii ", await StatusAsync());
        Assert.Equal("1.0 ii ", (await lab.CheckedExecAsync(Host, "dpkg-query -W -f '${Version} ${db:Status-Abbrev}' shopd-reports")).TrimEnd('\n'));
    }

    [Fact]
    public async Task Execute_PackageLeftUnpacked_FinishesItFirstAndSaysSo()
    {
        // Given shopd 2.3.0 unpacked again but not configured (iU), as an interrupted dpkg leaves it
        await InstallAsync("2.3.0", editConf: false);
        var (executor, context, _) = await StagedAsync(Options("2.1.0"), "-unpacked");
        await lab.CheckedExecAsync(Host, $"dpkg --unpack {Work}-unpacked/shopd_2.3.0.deb >/dev/null");
        Assert.Equal("2.3.0 iU ", await StatusAsync());

        // When prepared and executed
        var prepared = await executor.PrepareAsync(context, Token).WaitAsync(PackageLab.Timeout, Token);
        var outcome = await executor.ExecuteAsync(context, prepared, Token).WaitAsync(PackageLab.Timeout, Token);

        // Then dpkg --configure -a ran first (said in the output) and 2.1.0 is installed
        Assert.True(outcome.IsSuccess, outcome.Detail);
        Assert.Contains("was half-configured (iU ) before the change: ran dpkg --configure -a", outcome.Detail, StringComparison.Ordinal);
        Assert.Equal("2.1.0 hi ", await StatusAsync());
    }

    [Fact]
    public async Task CheckExecute_TargetInstalledButNotHeld_NotDoneThenHeldWithoutReinstalling()
    {
        // Given shopd 2.1.0 installed but not held, as a run killed between dpkg and the hold leaves it
        await InstallAsync("2.1.0", editConf: false);
        var (executor, context, _) = await StagedAsync(Options("2.1.0"), "-unheld");
        var installs = await InstallCountAsync();

        // When checked (hold: true is part of the step's effect), prepared and executed
        var check = await executor.CheckAsync(context, Token).WaitAsync(PackageLab.Timeout, Token);
        var prepared = await executor.PrepareAsync(context, Token).WaitAsync(PackageLab.Timeout, Token);
        var outcome = await executor.ExecuteAsync(context, prepared, Token).WaitAsync(PackageLab.Timeout, Token);

        // Then it was not done, now it is held, dpkg installed nothing again, and the check says done
        Assert.Equal(CheckResult.NotDone, check);
        Assert.True(outcome.IsSuccess, outcome.Detail);
        Assert.Contains("shopd 2.1.0 was installed already: only the hold was missing", outcome.Detail, StringComparison.Ordinal);
        Assert.Equal("2.1.0 hi ", await StatusAsync());
        Assert.Equal(installs, await InstallCountAsync());
        Assert.Equal(CheckResult.Done, await executor.CheckAsync(context, Token).WaitAsync(PackageLab.Timeout, Token));
    }

    /// <summary>How many times dpkg has installed shopd on the host (its log's "status installed" lines).</summary>
    private async Task<string> InstallCountAsync() =>
        (await lab.CheckedExecAsync(Host, "grep -c ' status installed shopd:' /var/log/dpkg.log || true")).Trim();

    private static PackageOptions Options(string version) => new() { Name = "shopd", Version = version };

    private static IStagingStep Stage(IStepExecutor executor) => Assert.IsAssignableFrom<IStagingStep>(executor);

    /// <summary>A step with <paramref name="options"/> in its own work directory (<c>Work</c> + <paramref name="suffix"/>), staged successfully.</summary>
    private Task<(IStepExecutor Executor, StepContext Context, StepOutcome Staged)> StagedAsync(PackageOptions options, string suffix) =>
        lab.StagedAsync(Host, Work + suffix, options);

    private static IStepExecutor Executor(PackageOptions options) => new PackageStepKind().CreateExecutor(options);

    private async Task<string> StatusAsync() =>
        (await lab.CheckedExecAsync(Host, "dpkg-query -W -f '${Version} ${db:Status-Abbrev}' shopd")).TrimEnd('\n');

    /// <summary>A clean host with shopd VERSION from the repository (and the admin's edit of its conffile).</summary>
    private Task InstallAsync(string version, bool editConf) => lab.CheckedExecAsync(
        Host,
        "set -e; export DEBIAN_FRONTEND=noninteractive; apt-mark unhold shopd >/dev/null 2>&1 || true; " +
        "dpkg --purge --force-all shopd shopd-reports >/dev/null 2>&1 || true; rm -rf /etc/shopd /var/lib/downshift; " +
        $"apt-get update -q >/dev/null; apt-get install -y -q shopd={version} >/dev/null" +
        (editConf ? $"; printf '{EditedConf.Replace("\n", "\\n", StringComparison.Ordinal)}' > {Conf}" : ""));

    /// <summary>Puts shopd-reports 1.0 (Depends: shopd (>= 2.3.0)) in the repository and installs it.</summary>
    private async Task AddOnAsync()
    {
        await TestPackages.BuildDebAsync(Path.Combine(lab.RepositoryDirectory, "deb"), "shopd-reports", "1.0", "shopd (>= 2.3.0)", Token);
        await lab.RescanAsync();
        await lab.CheckedExecAsync(Host, "export DEBIAN_FRONTEND=noninteractive; apt-get update -q >/dev/null && apt-get install -y -q shopd-reports >/dev/null");
    }
}
