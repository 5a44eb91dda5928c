using Downshift.Hosts.Ssh.Internal;

namespace Downshift.Tests.Hosts;

/// <summary>
/// The reader of SSH.NET's blocking channel streams, against a stream that blocks as SSH.NET's does
/// (a read waits until data arrives or the stream ends or is disposed): every byte arrives in order, a
/// failing read fails the reader, the blocking reads never run on the thread pool (they starved it: see
/// <see cref="ChannelReader"/>), and the thread stops however the command ends. The real channel is read
/// in the SSH integration tests.
/// </summary>
public sealed class ChannelReaderTests
{
    private const int Total = 2 * 1024 * 1024;

    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Start_ALargeOutputInSmallPieces_ArrivesWholeAndInOrderOffThePool()
    {
        // Given a channel that delivers 1 MB in 1000-byte pieces, then ends
        var data = Enumerable.Range(0, 1_000_000).Select(i => (byte)(i * 31 % 251)).ToArray();
        using var channel = new BlockingChannel();
        var reader = ChannelReader.Start(channel, "test stdout");
        var feeding = Task.Run(
            () =>
            {
                for (var at = 0; at < data.Length; at += 1000)
                {
                    channel.Write(data.AsSpan(at, Math.Min(1000, data.Length - at)));
                }

                channel.End();
            },
            Ct);

        // When read to its end
        using var copy = new MemoryStream();
        await using (reader.Output)
        {
            await reader.Output.CopyToAsync(copy, Ct).WaitAsync(Bound, Ct);
        }

        // Then every byte arrived in order, the thread stopped, and no read ran on a pool thread
        await feeding.WaitAsync(Bound, Ct);
        Assert.Equal(data, copy.ToArray());
        await reader.Stopped.WaitAsync(Bound, Ct);
        Assert.NotEmpty(channel.ReadsOnPool);
        Assert.DoesNotContain(true, channel.ReadsOnPool);
    }

    [Fact]
    public async Task Start_TheChannelIsDisposedWhileAReadWaits_TheReaderEndsAndTheThreadStops()
    {
        // Given a command with partial output whose channel is disposed (the command was killed) while a read waits
        var channel = new BlockingChannel();
        var reader = ChannelReader.Start(channel, "test stderr");
        channel.Write("partial"u8);
        await channel.Waiting.WaitAsync(Bound, Ct);

        // When disposed
        channel.Dispose();

        // Then the reader gets what came and ends, and the thread stops
        using var copy = new MemoryStream();
        await reader.Output.CopyToAsync(copy, Ct).WaitAsync(Bound, Ct);
        Assert.Equal("partial"u8.ToArray(), copy.ToArray());
        await reader.Stopped.WaitAsync(Bound, Ct);
    }

    [Fact]
    public async Task Start_NobodyReadsAndTheReaderIsDisposed_TheThreadStopsThoughItWasPaused()
    {
        // Given a channel with far more output than the pipe holds, and a reader that reads nothing
        using var channel = new BlockingChannel();
        var reader = ChannelReader.Start(channel, "test stdout");
        channel.Write(new byte[Total]);
        channel.End();

        // When the thread has filled the pipe (256 KiB) and paused, and the reader is disposed (the transport gave up on the command)
        var deadline = TimeProvider.System.GetTimestamp();
        while (channel.Unread > Total - (256 * 1024) && TimeProvider.System.GetElapsedTime(deadline) < Bound)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(10), Ct);
        }

        Assert.True(channel.Unread <= Total - (256 * 1024), $"the thread read only {Total - channel.Unread} bytes");
        await reader.Output.DisposeAsync();

        // Then the paused thread notices and stops, without reading the rest
        await reader.Stopped.WaitAsync(Bound, Ct);
        Assert.True(channel.Unread > 0, "the thread read the whole channel instead of stopping");
    }

    [Fact]
    public async Task Start_TheChannelsReadThrows_TheReaderThrowsWhatItThrew()
    {
        using var channel = new BlockingChannel();
        var reader = ChannelReader.Start(channel, "test stdout");

        channel.Fail(new IOException("connection reset"));

        using var copy = new MemoryStream();
        var error = await Assert.ThrowsAsync<IOException>(() => reader.Output.CopyToAsync(copy, Ct).WaitAsync(Bound, Ct));
        Assert.Equal("connection reset", error.Message);
        await reader.Stopped.WaitAsync(Bound, Ct);
    }

    /// <summary>
    /// A stream with only a blocking Read, like SSH.NET's: a read waits (Monitor.Wait) until bytes are
    /// written, the stream ends, fails, or is disposed. It notes whether each read ran on the thread pool.
    /// </summary>
    private sealed class BlockingChannel : Stream
    {
        private readonly object gate = new();
        private readonly Queue<byte> buffer = new();
        private readonly TaskCompletionSource waiting = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private bool ended;
        private Exception? failure;

        public List<bool> ReadsOnPool { get; } = [];

        /// <summary>Completes once a read has waited for data.</summary>
        public Task Waiting => waiting.Task;

        public int Unread
        {
            get
            {
                lock (gate)
                {
                    return buffer.Count;
                }
            }
        }

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public void End() => Signal(() => ended = true);

        public void Fail(Exception e) => Signal(() => failure = e);

        public override void Write(ReadOnlySpan<byte> data)
        {
            var copy = data.ToArray();
            Signal(() =>
            {
                foreach (var b in copy)
                {
                    buffer.Enqueue(b);
                }
            });
        }

        public override void Write(byte[] data, int offset, int count) => Write(data.AsSpan(offset, count));

        public override int Read(byte[] data, int offset, int count) => Read(data.AsSpan(offset, count));

        public override int Read(Span<byte> data)
        {
            lock (gate)
            {
                ReadsOnPool.Add(Thread.CurrentThread.IsThreadPoolThread);
                while (buffer.Count == 0 && !ended && failure is null)
                {
                    waiting.TrySetResult();
                    Monitor.Wait(gate);
                }

                if (buffer.Count == 0 && failure is not null)
                {
                    throw failure;
                }

                var n = 0;
                while (n < data.Length && buffer.Count > 0)
                {
                    data[n++] = buffer.Dequeue();
                }

                return n;
            }
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        /// <summary>As SSH.NET's: a disposed stream ends, and a waiting read returns what is left.</summary>
        protected override void Dispose(bool disposing)
        {
            End();
            base.Dispose(disposing);
        }

        private void Signal(Action change)
        {
            lock (gate)
            {
                change();
                Monitor.PulseAll(gate);
            }
        }
    }
}
