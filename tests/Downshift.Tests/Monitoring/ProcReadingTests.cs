using Downshift.Monitoring.Internal;

namespace Downshift.Tests.Monitoring;

public sealed class ProcReadingTests
{
    [Fact]
    public void Parse_FullAnswer_ReadsEveryPartAndLeavesOutPartitionsLoopsAndLo()
    {
        // Given the answer of a host with a disk, its partition, a loop device, eth0 and lo
        var text = new ProcText { Uptime = 1234.5, CpuBusy = 300, CpuIdle = 700 }.ToString();

        // When it is parsed
        var reading = ProcReading.Parse(text);

        // Then every part is there, whole physical disks and real interfaces only
        Assert.Equal(1234.5, reading.Uptime);
        Assert.Equal((300UL, 1000UL), reading.Cpu);
        Assert.Equal((1_000_000UL, 750_000UL), reading.Memory);
        Assert.Equal(["vda"], reading.Disks!.Keys);
        Assert.Equal((10_000UL, 20_000UL), reading.Disks["vda"]);
        Assert.Equal(["eth0"], reading.Interfaces!.Keys);
        Assert.Equal((1_000_000UL, 2_000_000UL), reading.Interfaces["eth0"]);
    }

    [Fact]
    public void Parse_NoSysBlockListing_TakesNamesNoOtherNameIsAPrefixOf()
    {
        // Given diskstats without the /sys/block line (sysfs not mounted)
        var text = string.Join('\n', new ProcText().ToString().Split('\n').Skip(1));

        // Then vda1 is a partition of vda and is left out
        Assert.Equal(["vda"], ProcReading.Parse(text).Disks!.Keys);
    }

    [Fact]
    public void Parse_DiskstatsMissing_OnlyDisksAreNull()
    {
        var reading = ProcReading.Parse(new ProcText { WithDiskstats = false }.ToString());

        Assert.Null(reading.Disks);
        Assert.NotNull(reading.Cpu);
        Assert.NotNull(reading.Memory);
        Assert.NotNull(reading.Interfaces);
    }

    [Fact]
    public void Parse_NoMemAvailable_UsesFreeBuffersAndCached()
    {
        var reading = ProcReading.Parse("MemTotal: 1000 kB\nMemFree: 100 kB\nBuffers: 50 kB\nCached: 250 kB\n");

        Assert.Equal((1000UL, 400UL), reading.Memory);
    }

    [Fact]
    public void Parse_Garbage_GivesNothing()
    {
        var reading = ProcReading.Parse("bash: cat: command not found\n");

        Assert.Null(reading.Uptime);
        Assert.Null(reading.Cpu);
        Assert.Null(reading.Memory);
        Assert.Null(reading.Disks);
        Assert.Null(reading.Interfaces);
    }
}
