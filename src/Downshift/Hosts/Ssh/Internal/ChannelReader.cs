using System.IO.Pipelines;

namespace Downshift.Hosts.Ssh.Internal;

/// <summary>
/// Reads one of a command's channel streams (stdout or stderr) on a thread of its own and hands the
/// bytes on through a pipe, which the transport reads asynchronously. SSH.NET's stream has only a
/// blocking <c>Read</c>; its <c>ReadAsync</c> is <see cref="Stream"/>'s, which parks a thread-pool
/// thread for as long as the command runs. Two per command, ten hosts at once, starved the pool of a
/// 2-core machine: finished commands waited up to a second for a thread to report them, and the fleet
/// benchmark ran 1.5× slower for it (bench/results/fleet.md).
/// </summary>
internal sealed class ChannelReader
{
    private const int ChunkSize = 64 * 1024;

    private readonly TaskCompletionSource stopped = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private ChannelReader(Stream output) => Output = output;

    /// <summary>
    /// What the channel gave, to read instead of it. It ends where the channel's stream ends (SSH.NET
    /// ends it when the command exits, and also when the command is disposed or the connection drops:
    /// the exit status tells those apart), and fails with whatever the channel's read threw.
    /// </summary>
    public Stream Output { get; }

    /// <summary>Completes when the thread has stopped: the channel ended, its read threw, or <see cref="Output"/> was disposed and the thread's next write noticed.</summary>
    public Task Stopped => stopped.Task;

    public static ChannelReader Start(Stream channel, string name)
    {
        // The writer resumes inline: a paused thread must not wait for a pool thread to wake it, the
        // resource this class exists to spare.
        var pipe = new Pipe(new PipeOptions(
            writerScheduler: PipeScheduler.Inline,
            pauseWriterThreshold: 4 * ChunkSize,
            resumeWriterThreshold: 2 * ChunkSize,
            useSynchronizationContext: false));
        var reader = new ChannelReader(pipe.Reader.AsStream());
        new Thread(() => reader.Pump(channel, pipe.Writer)) { IsBackground = true, Name = name }.Start();
        return reader;
    }

    private void Pump(Stream channel, PipeWriter writer)
    {
        try
        {
            while (true)
            {
                var read = channel.Read(writer.GetSpan(ChunkSize));
                if (read == 0)
                {
                    break;
                }

                writer.Advance(read);

                // Waits (this thread only) while the reader is behind; completed when the reader went away.
                var flush = writer.FlushAsync();
                var flushed = flush.IsCompleted ? flush.Result : flush.AsTask().GetAwaiter().GetResult();
                if (flushed.IsCompleted)
                {
                    break;
                }
            }

            writer.Complete();
        }
        catch (Exception e)
        {
            writer.Complete(e);
        }
        finally
        {
            stopped.TrySetResult();
        }
    }
}
