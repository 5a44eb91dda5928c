using Downshift.Steps;
using Downshift.Steps.Package;

namespace Downshift.IntegrationTests.Package;

/// <summary>The package step with real dnf/rpm (Debian's) on a lab host: shopd 2.3.0 down to 2.1.0 and back.</summary>
[Collection(PackageLab.Collection)]
public sealed class DnfPackageStepTests(PackageLab lab)
{
    private const string Host = "h2";
    private const string Work = "/var/lib/downshift/runs/run-1/001-downgrade-shopd";
    private const string Conf = "/etc/shopd/shopd.conf";

    /// <summary>An admin's edit of 2.3.0's conffile.</summary>
    private const string EditedConf = "port=8080\nbind=0.0.0.0\ndb=/var/lib/shopd/orders.db\nmiddleware_compat=lenient\n";

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task StageExecuteUndo_Downgrade_LocksTheVersionAndRollsBackFromTheSavedRpm()
    {
        // Given shopd 2.3.0 installed by dnf (the host also has dpkg, so the manager is named)
        await InstallAsync("2.3.0");
        var options = new PackageOptions { Name = "shopd", Version = "2.1.0", Manager = "dnf" };

        // When staged: both rpms are saved, nothing changes
        var (executor, context, staged) = await lab.StagedAsync(Host, Work, options);
        TestContext.Current.TestOutputHelper?.WriteLine($"staged: {staged.Detail}");
        Assert.Equal("shopd-2.1.0.rpm\nshopd-2.3.0-1.rpm", (await lab.CheckedExecAsync(Host, $"cd {Work} && ls *.rpm")).Trim());
        Assert.Equal("2.3.0-1", await VersionAsync());

        // When checked, prepared, executed
        Assert.Equal(CheckResult.NotDone, await executor.CheckAsync(context, Token).WaitAsync(PackageLab.Timeout, Token));
        var prepared = await executor.PrepareAsync(context, Token).WaitAsync(PackageLab.Timeout, Token);
        var outcome = await executor.ExecuteAsync(context, prepared, Token).WaitAsync(PackageLab.Timeout, Token);

        // Then 2.1.0 is installed, locked (no versionlock plugin here: exclude= in dnf.conf), in dnf's history
        TestContext.Current.TestOutputHelper?.WriteLine($"outcome: {outcome.Detail}");
        Assert.True(outcome.IsSuccess, outcome.Detail);
        Assert.Contains("exclude=", outcome.Detail, StringComparison.Ordinal);
        Assert.Matches("dnf history id [0-9]+", outcome.Detail);
        Assert.Equal("2.1.0-1", await VersionAsync());
        Assert.Equal("exclude=shopd", (await lab.CheckedExecAsync(Host, "grep '^exclude=' /etc/dnf/dnf.conf")).Trim());
        Assert.Contains("No match for argument: shopd", (await lab.ExecAsync(Host, "dnf -y upgrade shopd 2>&1")).Output, StringComparison.Ordinal);
        Assert.Equal(CheckResult.Done, await executor.CheckAsync(context, Token).WaitAsync(PackageLab.Timeout, Token));

        // When the repository no longer has 2.3.0 and the undo runs twice
        await lab.CheckedExecAsync(Host, "dnf clean all >/dev/null; mv /etc/yum.repos.d /etc/yum.repos.d.off; mkdir /etc/yum.repos.d");
        try
        {
            var undo = await executor.UndoAsync(context, prepared, Token).WaitAsync(PackageLab.Timeout, Token);
            var again = await executor.UndoAsync(context, prepared, Token).WaitAsync(PackageLab.Timeout, Token);

            // Then 2.3.0 is back and nothing is locked
            TestContext.Current.TestOutputHelper?.WriteLine($"undo: {undo.Detail}");
            Assert.True(undo.IsSuccess, undo.Detail);
            Assert.True(again.IsSuccess, again.Detail);
            Assert.Equal("2.3.0-1", await VersionAsync());
            Assert.Equal("", (await lab.CheckedExecAsync(Host, "grep '^exclude=' /etc/dnf/dnf.conf || true")).Trim());
        }
        finally
        {
            await lab.CheckedExecAsync(Host, "rm -rf /etc/yum.repos.d && mv /etc/yum.repos.d.off /etc/yum.repos.d");
        }
    }

    [Fact]
    public async Task Execute_BrokenPreScript_FailsAndUndoLeavesThePreviousVersion()
    {
        // Given shopd 2.3.0, and a 2.2.0 rpm whose %pre fails
        await InstallAsync("2.3.0");
        var options = new PackageOptions { Name = "shopd", Version = "2.2.0", Manager = "dnf" };
        var (executor, context, _) = await lab.StagedAsync(Host, Work + "-broken", options);

        // When executed
        var prepared = await executor.PrepareAsync(context, Token).WaitAsync(PackageLab.Timeout, Token);
        var outcome = await executor.ExecuteAsync(context, prepared, Token).WaitAsync(PackageLab.Timeout, Token);
        TestContext.Current.TestOutputHelper?.WriteLine($"outcome: {outcome.Detail}");

        // Then the step fails, rpm kept 2.3.0, and the undo confirms it without a lock
        Assert.False(outcome.IsSuccess);
        Assert.Equal("2.3.0-1", await VersionAsync());
        var undo = await executor.UndoAsync(context, prepared, Token).WaitAsync(PackageLab.Timeout, Token);
        Assert.True(undo.IsSuccess, undo.Detail);
        Assert.Equal("2.3.0-1", await VersionAsync());
        Assert.Equal("", (await lab.CheckedExecAsync(Host, "grep '^exclude=' /etc/dnf/dnf.conf || true")).Trim());
    }

    [Fact]
    public async Task ExecuteUndo_ConffilesNew_TakesThePackagesFileThenUndoPutsTheAdminsBackExactly()
    {
        // Given shopd 2.3.0 with the admin's edit of its %config(noreplace) file, and a step that takes the package's
        await InstallAsync("2.3.0");
        await lab.CheckedExecAsync(Host, $"printf '{EditedConf.Replace("\n", "\\n", StringComparison.Ordinal)}' > {Conf}");
        var options = new PackageOptions { Name = "shopd", Version = "2.1.0", Manager = "dnf", Conffiles = ConffilePolicy.New, Hold = false };
        var (executor, context, _) = await lab.StagedAsync(Host, Work + "-confnew", options);

        // When checked, prepared and executed: 2.1.0's file in place, the admin's kept as .rpmsave
        Assert.Equal(CheckResult.NotDone, await executor.CheckAsync(context, Token).WaitAsync(PackageLab.Timeout, Token));
        var prepared = await executor.PrepareAsync(context, Token).WaitAsync(PackageLab.Timeout, Token);
        var outcome = await executor.ExecuteAsync(context, prepared, Token).WaitAsync(PackageLab.Timeout, Token);
        Assert.True(outcome.IsSuccess, outcome.Detail);
        Assert.Equal("2.1.0-1", await VersionAsync());
        Assert.Equal(EditedConf, await lab.CheckedExecAsync(Host, $"cat {Conf}.rpmsave"));

        // When undone (the rollback)
        var undo = await executor.UndoAsync(context, prepared, Token).WaitAsync(PackageLab.Timeout, Token);

        // Then 2.3.0 is back with the admin's conffile, byte for byte, and no .rpm* file beside it
        TestContext.Current.TestOutputHelper?.WriteLine($"undo: {undo.Detail}");
        Assert.True(undo.IsSuccess, undo.Detail);
        Assert.Equal("2.3.0-1", await VersionAsync());
        Assert.Equal(EditedConf, await lab.CheckedExecAsync(Host, $"cat {Conf}"));
        Assert.Equal("", (await lab.CheckedExecAsync(Host, $"ls {Conf}.rpm* 2>/dev/null || true")).Trim());
    }

    private async Task<string> VersionAsync() => (await lab.CheckedExecAsync(Host, "rpm -q --qf '%{VERSION}-%{RELEASE}' shopd")).TrimEnd('\n');

    /// <summary>A clean host with shopd VERSION installed by dnf from the lab repository.</summary>
    private Task InstallAsync(string version) => lab.CheckedExecAsync(
        Host,
        "set -e; sed -i '/^exclude=/d' /etc/dnf/dnf.conf; supervisorctl stop shopd >/dev/null 2>&1 || true; " +
        "apt-mark unhold shopd >/dev/null 2>&1 || true; dpkg --purge --force-all shopd shopd-reports >/dev/null 2>&1 || true; " +
        "rpm -e --nodeps shopd >/dev/null 2>&1 || true; rm -rf /etc/shopd /etc/supervisor/conf.d/shopd.conf* /var/lib/downshift; " +
        $"dnf -y -q --refresh install shopd-{version} >/dev/null 2>&1");
}
