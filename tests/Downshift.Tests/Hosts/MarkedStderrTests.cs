using System.Text;
using Downshift.Hosts.Ssh.Internal;

namespace Downshift.Tests.Hosts;

public sealed class MarkedStderrTests
{
    [Theory]
    [InlineData(8192)]
    [InlineData(1)]
    public async Task ReadAsync_MarkerFirst_GivesTheGroupAndDropsTheLine(int chunk)
    {
        var stderr = new MarkedStderr();

        var text = await stderr.ReadAsync(Trickle("downshift-pgid:4242\nboom\n", chunk), TestContext.Current.CancellationToken);

        Assert.Equal(4242, await stderr.ProcessGroup);
        Assert.Equal("boom\n", text);
    }

    [Theory]
    [InlineData(8192)]
    [InlineData(3)]
    public async Task ReadAsync_SudoWritesBeforeTheMarker_StillFindsTheGroupAndKeepsSudosLine(int chunk)
    {
        var stderr = new MarkedStderr();

        var text = await stderr.ReadAsync(
            Trickle("sudo: unable to resolve host h1: Name or service not known\ndownshift-pgid:77\nfailed\n", chunk),
            TestContext.Current.CancellationToken);

        Assert.Equal(77, await stderr.ProcessGroup);
        Assert.Equal("sudo: unable to resolve host h1: Name or service not known\nfailed\n", text);
    }

    [Fact]
    public async Task ReadAsync_NoMarker_GroupIsNullAndTextIsWhole()
    {
        var stderr = new MarkedStderr();

        var text = await stderr.ReadAsync(Trickle("sudo: a password is required\n", 4), TestContext.Current.CancellationToken);

        Assert.Null(await stderr.ProcessGroup);
        Assert.Equal("sudo: a password is required\n", text);
    }

    [Fact]
    public async Task ReadAsync_MarkerInTheCommandsOwnOutputLater_OnlyTheFirstCounts()
    {
        var stderr = new MarkedStderr();

        var text = await stderr.ReadAsync(Trickle("downshift-pgid:5\ndownshift-pgid:6\n", 8192), TestContext.Current.CancellationToken);

        Assert.Equal(5, await stderr.ProcessGroup);
        Assert.Equal("downshift-pgid:6\n", text);
    }

    /// <summary>A stream that hands out at most CHUNK bytes per read, as a slow channel would.</summary>
    private static TrickleStream Trickle(string text, int chunk) => new(Encoding.UTF8.GetBytes(text), chunk);

    private sealed class TrickleStream(byte[] data, int chunk) : MemoryStream(data)
    {
        public override ValueTask<int> ReadAsync(Memory<byte> destination, CancellationToken cancellationToken = default) =>
            base.ReadAsync(destination[..Math.Min(chunk, destination.Length)], cancellationToken);
    }
}
