using Downshift.Steps.Package.Internal;

namespace Downshift.Tests.Steps.Package;

/// <summary>Pure parsing of simulated transactions; the real apt-get -s and dnf run in the integration tests (Package/).</summary>
public sealed class PackageChangesTests
{
    private const string AptSimulation = """
        NOTE: This is only a simulation!
        Remv shopd-reports [1.0]
        Inst shopd [2.3.0] (2.1.0 local-deb [all])
        Inst libshop1 (1.4-2 Debian:12/stable [amd64])
        Conf shopd (2.1.0 local-deb [all])
        """;

    private const string DnfTable = """
        Dependencies resolved.
        ================================================================================
         Package          Architecture   Version          Repository             Size
        ================================================================================
        Downgrading:
         shopd            noarch         2.1.0-1          @commandline           10 k
        Installing dependencies:
         libshop          noarch         1.4-1            lab                   4.0 k
        Removing dependent packages:
         shopd-reports    noarch         1.0-1            @lab                  1.0 k

        Transaction Summary
         shopd-ignored    noarch         9-9              x                     1 k
        """;

    [Fact]
    public void ParseApt_Simulation_ReadsInstallsChangesAndRemovals()
    {
        // When apt-get -s output is read
        var changes = PackageChanges.ParseApt(AptSimulation);

        // Then Inst and Remv lines are changes, Conf lines are not
        Assert.Equal(
            [
                new PackageChange("shopd-reports", ChangeAction.Remove, "1.0", null),
                new PackageChange("shopd", ChangeAction.Change, "2.3.0", "2.1.0"),
                new PackageChange("libshop1", ChangeAction.Install, null, "1.4-2"),
            ],
            changes);
    }

    [Fact]
    public void ParseDnf_TransactionTable_ReadsSectionsUpToTheSummary()
    {
        // When dnf's transaction table is read
        var changes = PackageChanges.ParseDnf(DnfTable);

        // Then each row takes its section's action, and nothing after the summary counts
        Assert.Equal(
            [
                new PackageChange("shopd", ChangeAction.Change, null, "2.1.0-1"),
                new PackageChange("libshop", ChangeAction.Install, null, "1.4-1"),
                new PackageChange("shopd-reports", ChangeAction.Remove, "1.0-1", null),
            ],
            changes);
    }

    [Fact]
    public void Refusal_RemovalEvenIfAllowed_AndUnlistedChange_AreBothNamed()
    {
        // Given a removal of an allowed package and an install of an unlisted one
        var changes = PackageChanges.ParseApt(AptSimulation);

        // When checked against allow-changes that names the removed package only
        var refusal = PackageChanges.Refusal("shopd", changes, ["shopd-reports"]);

        // Then both are refused, by name
        Assert.NotNull(refusal);
        Assert.Contains("it would REMOVE shopd-reports 1.0", refusal, StringComparison.Ordinal);
        Assert.Contains("not in allow-changes: install libshop1 1.4-2", refusal, StringComparison.Ordinal);
    }

    [Fact]
    public void Refusal_OnlyThePackageAndAllowedChanges_IsNull()
    {
        // Given the package itself and an allowed dependency change
        var changes = new[]
        {
            new PackageChange("shopd", ChangeAction.Change, "2.3.0", "2.1.0"),
            new PackageChange("libshop1", ChangeAction.Change, "1.5", "1.4"),
        };

        // When checked
        var refusal = PackageChanges.Refusal("shopd", changes, ["libshop1"]);

        // Then the change is allowed, and the journal line names the dependency
        Assert.Null(refusal);
        Assert.Equal("other changes: libshop1 1.5 -> 1.4", PackageChanges.Others("shopd", changes));
    }
}
