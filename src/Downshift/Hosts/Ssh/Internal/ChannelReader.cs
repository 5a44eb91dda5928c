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
internal static class ChannelReader
{
    private const int ChunkSize = 64 * 1024;

    /// <summary>
    /// Starts reading <paramref name="channel"/> and returns the stream to read instead. It ends where the
    /// channel ends, and fails with what the channel's read threw (a closed connection, a disposed command).
    /// Disposing it lets the thread go at its next read.
    /// </summary>
    public static Stream Start(Stream channel, string name)
    {
        var pipe = new Pipe(new PipeOptions(pauseWriterThreshold: 4 * ChunkSize, resumeWriterThreshold: 2 * ChunkSize, useSynchronizationContext: false));
        new Thread(() => Pump(channel, pipe.Writer)) { IsBackground = true, Name = name }.Start();
        return pipe.Reader.AsStream();
    }

    private static void Pump(Stream channel, PipeWriter writer)
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
                if (writer.FlushAsync().AsTask().GetAwaiter().GetResult().IsCompleted)
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
    }
}
