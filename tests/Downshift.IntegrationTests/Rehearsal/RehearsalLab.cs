using Downshift.IntegrationTests.Fleet;

namespace Downshift.IntegrationTests.Rehearsal;

/// <summary>One lab host serving the shop's packages: enough for a rehearsal of the fleet plan restricted to h1.</summary>
public sealed class RehearsalLab : ShopLab
{
    protected override int HostCount => 1;
}
