using Downshift.Hosts.Ssh.Internal;

namespace Downshift.Tests.Hosts;

/// <summary>
/// The reader of SSH.NET's blocking channel streams: every byte arrives in order, a failing read fails
/// the reader's stream, and the blocking reads never run on the thread pool (they starved it: see
/// <see cref="ChannelReader"/>). The real channel is read in the SSH integration tests.
/// </summary>
public sealed class ChannelReaderTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Start_ALargeOutputInSmallReads_ArrivesWholeAndInOrder()
    {
        var data = Enumerable.Range(0, 1_000_000).Select(i => (byte)(i * 31 % 251)).ToArray();
        await using var source = new BlockingStream(new MemoryStream(data), maxRead: 1000);

        await using var reader = ChannelReader.Start(source, "test stdout");
        using var copy = new MemoryStream();
        await reader.CopyToAsync(copy, Ct);

        Assert.Equal(data, copy.ToArray());
    }

    [Fact]
    public async Task Start_ReadsBlock_NeverOnAThreadPoolThread()
    {
        await using var source = new BlockingStream(new MemoryStream("abc"u8.ToArray()), maxRead: 1);

        await using var reader = ChannelReader.Start(source, "test stderr");
        using var copy = new MemoryStream();
        await reader.CopyToAsync(copy, Ct);

        Assert.Equal("abc"u8.ToArray(), copy.ToArray());
        Assert.Equal(4, source.Reads.Count); // three bytes and the end
        Assert.All(source.Reads, onPool => Assert.False(onPool));
    }

    [Fact]
    public async Task Start_TheChannelFails_TheReaderThrowsWhatItThrew()
    {
        await using var source = new BlockingStream(new MemoryStream("partial"u8.ToArray()), maxRead: 100, failAtEnd: new IOException("connection reset"));

        await using var reader = ChannelReader.Start(source, "test stdout");
        using var copy = new MemoryStream();
        var error = await Assert.ThrowsAsync<IOException>(() => reader.CopyToAsync(copy, Ct));

        Assert.Equal("connection reset", error.Message);
    }

    /// <summary>A stream with only a blocking Read, like SSH.NET's: it notes whether each read ran on the thread pool.</summary>
    private sealed class BlockingStream(Stream inner, int maxRead, Exception? failAtEnd = null) : Stream
    {
        public List<bool> Reads { get; } = [];

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            Reads.Add(Thread.CurrentThread.IsThreadPoolThread);
            var read = inner.Read(buffer[..Math.Min(buffer.Length, maxRead)]);
            return read == 0 && failAtEnd is not null ? throw failAtEnd : read;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
