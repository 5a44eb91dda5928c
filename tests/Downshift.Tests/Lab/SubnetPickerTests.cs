using Downshift.Lab.Internal;

namespace Downshift.Tests.Lab;

public sealed class SubnetPickerTests
{
    private const string Machine = """
        1: lo    inet 127.0.0.1/8 scope host lo\       valid_lft forever preferred_lft forever
        2: eth0    inet 192.0.2.2/24 brd 192.0.2.255 scope global eth0\       valid_lft forever preferred_lft forever
        """;

    [Fact]
    public void Pick_SameNameAndMachine_GivesSameSubnet() =>
        Assert.Equal(SubnetPicker.Pick("lab", Machine), SubnetPicker.Pick("lab", Machine));

    [Fact]
    public void Pick_Result_IsUnder10Dot2xx()
    {
        var subnet = SubnetPicker.Pick("lab", Machine)!;

        var octets = subnet.Split('.').Select(int.Parse).ToArray();
        Assert.Equal(10, octets[0]);
        Assert.InRange(octets[1], 200, 255);
    }

    [Fact]
    public void Pick_SubnetTakenByABridge_SkipsIt()
    {
        var first = SubnetPicker.Pick("lab", Machine)!;
        var withBridge = Machine + $"\n7: ds-other-br    inet {first}.1/24 brd {first}.255 scope global ds-other-br";

        var second = SubnetPicker.Pick("lab", withBridge);

        Assert.NotNull(second);
        Assert.NotEqual(first, second);
    }

    [Fact]
    public void Pick_AWideNetworkCoversEverything_GivesNull() =>
        Assert.Null(SubnetPicker.Pick("lab", "3: big    inet 10.0.0.1/8 scope global big"));

    [Theory]
    [InlineData("10.201.7", "9: x    inet 10.201.7.1/24 scope global x", true)]
    [InlineData("10.201.7", "9: x    inet 10.201.0.1/16 scope global x", true)]
    [InlineData("10.201.7", "9: x    inet 10.201.8.1/24 scope global x", false)]
    [InlineData("10.201.7", "9: x    inet 10.201.7.99/32 scope global x", true)]
    public void InUse_AddressInOrAroundTheSubnet_CountsAsUsed(string subnet, string ipOutput, bool expected) =>
        Assert.Equal(expected, SubnetPicker.InUse(subnet, ipOutput));
}
