using System.IO.Pipelines;
using Downshift.Hosts;

namespace Downshift.Backups.Internal;

/// <summary>
/// Runs a host command whose stdout is read (or whose stdin is written) by code here while it runs,
/// through a bounded pipe: nothing large is held in memory. When one side fails, the other is
/// stopped, and the error that explains it is the one thrown.
/// </summary>
internal static class Piped
{
    private const int BatchSize = 1 << 20;

    private static readonly PipeOptions Options = new(pauseWriterThreshold: 16 << 20, resumeWriterThreshold: 8 << 20, minimumSegmentSize: 128 << 10, useSynchronizationContext: false);

    /// <summary>
    /// Runs <paramref name="command"/> with its stdout streamed to <paramref name="consume"/>. When
    /// <paramref name="consume"/> fails and the command failed too (<paramref name="failed"/>), the command's failure is thrown.
    /// </summary>
    public static async Task<(CommandResult Result, T Value)> ReadAsync<T>(
        IHostTransport host,
        HostCommand command,
        Func<Stream, CancellationToken, Task<T>> consume,
        Func<CommandResult, bool> failed,
        CancellationToken cancellationToken)
    {
        var pipe = new Pipe(Options);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var run = RunAsync();
        T value;
        try
        {
            await using var output = pipe.Reader.AsStream();
            value = await consume(output, cancellationToken);
        }
        catch
        {
            await stop.CancelAsync();
            if (await ResultOrNullAsync(run) is { } result && failed(result))
            {
                throw Failure(host, command, result);
            }

            throw;
        }

        return (await run, value);

        async Task<CommandResult> RunAsync()
        {
            await Task.Yield();
            try
            {
                // Batched into large writes: each write wakes the reader, and fewer wake-ups cost less CPU.
                await using var batched = new BufferedStream(pipe.Writer.AsStream(leaveOpen: true), BatchSize);
                var result = await host.RunAsync(command with { StdoutTo = batched }, stop.Token);
                await batched.FlushAsync(stop.Token);
                await pipe.Writer.CompleteAsync();
                return result;
            }
            catch (Exception e)
            {
                await pipe.Writer.CompleteAsync(e);
                throw;
            }
        }
    }

    /// <summary>Runs <paramref name="command"/> with its stdin written by <paramref name="produce"/>; a failure of <paramref name="produce"/> wins.</summary>
    public static async Task<CommandResult> WriteAsync(
        IHostTransport host, HostCommand command, Func<Stream, CancellationToken, Task> produce, CancellationToken cancellationToken)
    {
        var pipe = new Pipe(Options);
        using var stopRun = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using var stopProducer = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var producer = ProduceAsync();
        CommandResult? result = null;
        Exception? runError = null;
        try
        {
            result = await host.RunAsync(command with { StdinFrom = pipe.Reader.AsStream(leaveOpen: true) }, stopRun.Token);
        }
        catch (Exception e)
        {
            runError = e;
        }
        finally
        {
            await pipe.Reader.CompleteAsync();
            await stopProducer.CancelAsync();
        }

        try
        {
            await producer;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            // The command stopped reading (it ended or failed): its result or error tells.
        }

        return runError is null ? result! : throw runError;

        async Task ProduceAsync()
        {
            await Task.Yield();
            try
            {
                await using (var input = pipe.Writer.AsStream(leaveOpen: true))
                {
                    await produce(input, stopProducer.Token);
                }

                await pipe.Writer.CompleteAsync();
            }
            catch (Exception e)
            {
                await stopRun.CancelAsync();
                await pipe.Writer.CompleteAsync(e);
                throw;
            }
        }
    }

    private static DownshiftException Failure(IHostTransport host, HostCommand command, CommandResult result) =>
        DownshiftException.InvalidState($"'{command.DisplayText}' failed on '{host.HostName}' (exit {result.ExitCode}): {result.Stderr.Trim()}");

    private static async Task<CommandResult?> ResultOrNullAsync(Task<CommandResult> run)
    {
        try
        {
            return await run;
        }
        catch (Exception)
        {
            return null;
        }
    }
}
