using Downshift.Lab;
using Downshift.Lab.Internal;

namespace Downshift.Tests.Lab;

public sealed class LabOptionsTests
{
    [Theory]
    [InlineData("lab")]
    [InlineData("a")]
    [InlineData("t1")]
    [InlineData("abcde")]
    public void IsValidName_ShortLowercaseName_IsAccepted(string name) =>
        Assert.True(LabOptions.IsValidName(name));

    [Theory]
    [InlineData("")]
    [InlineData("abcdef")]
    [InlineData("1lab")]
    [InlineData("Lab")]
    [InlineData("la-b")]
    [InlineData("la b")]
    [InlineData(null)]
    public void IsValidName_LongUppercaseOrPunctuatedName_IsRefused(string? name) =>
        Assert.False(LabOptions.IsValidName(name));

    [Theory]
    [InlineData("10.201.7", true)]
    [InlineData("192.168.0", true)]
    [InlineData("10.256.7", false)]
    [InlineData("10.201", false)]
    [InlineData("10.201.7.0", false)]
    [InlineData("127.0.0", false)]
    [InlineData("10..7", false)]
    public void IsValidSubnet_ThreeOctets_Only(string subnet, bool expected) =>
        Assert.Equal(expected, LabOptions.IsValidSubnet(subnet));

    [Fact]
    public void Validate_EverythingWrong_ReportsEveryProblem()
    {
        var options = new LabOptions { Name = "Bad-Name", Hosts = 0, Subnet = "300.1.1", RepositoryDirectory = "/nonexistent/repo", StateRoot = "relative" };

        var errors = options.Validate();

        Assert.Equal(5, errors.Count);
    }

    [Fact]
    public void Validate_Defaults_AreValid() =>
        Assert.Empty(new LabOptions { StateRoot = "/tmp/x" }.Validate());

    [Fact]
    public void Names_LongestNameAndHost_FitIfnamsiz()
    {
        var names = new LabNames("abcde", "10.201.7");

        Assert.True(names.Veth(LabOptions.MaxHosts).Length <= 15, names.Veth(LabOptions.MaxHosts));
        Assert.True(names.Bridge.Length <= 15, names.Bridge);
        Assert.Equal("10.201.7.11", names.Address(1));
        Assert.Equal("10.201.7.1", names.Gateway);
    }

    [Fact]
    public void Names_OneLabsPrefix_NeverStartsAnotherLabsName()
    {
        var lab = new LabNames("lab", "10.1.1");
        var labv = new LabNames("labv", "10.1.2");

        Assert.False(labv.Veth(1).StartsWith(lab.Prefix, StringComparison.Ordinal));
        Assert.False(labv.Bridge.StartsWith(lab.Prefix, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("h1", 1)]
    [InlineData("h20", 20)]
    [InlineData("h0", null)]
    [InlineData("host1", null)]
    [InlineData("h", null)]
    [InlineData("h-1", null)]
    public void IndexOf_HostName_GivesItsNumber(string name, int? expected) =>
        Assert.Equal(expected, LabNames.IndexOf(name));
}
