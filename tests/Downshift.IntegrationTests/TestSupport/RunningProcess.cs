using System.Diagnostics;
using System.Text;

namespace Downshift.IntegrationTests.TestSupport;

/// <summary>
/// A child process started by <see cref="CliRunner"/>: its PID, its output so far, bounded waits,
/// and signals. Disposing it kills the process tree if it is still running.
/// </summary>
public sealed class RunningProcess : IAsyncDisposable
{
    /// <summary>How long to keep reading output after exit, in case a grandchild holds the pipes.</summary>
    private static readonly TimeSpan PipeDrainGrace = TimeSpan.FromSeconds(2);

    private readonly Process _process;
    private readonly string _displayName;
    private readonly Stopwatch _stopwatch;
    private readonly StringBuilder _stdout = new();
    private readonly StringBuilder _stderr = new();
    private readonly Lock _gate = new();
    private readonly Task _pumps;
    private readonly CancellationTokenSource _lifetime;
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private volatile bool _killedByTimeout;

    private RunningProcess(Process process, string displayName, TimeSpan lifetime)
    {
        _process = process;
        _displayName = displayName;
        _stopwatch = Stopwatch.StartNew();
        Pid = process.Id;
        _pumps = Task.WhenAll(
            PumpAsync(process.StandardOutput, _stdout),
            PumpAsync(process.StandardError, _stderr));
        _lifetime = new CancellationTokenSource(lifetime);
        _lifetime.Token.Register(() =>
        {
            _killedByTimeout = true;
            KillTree();
        });
    }

    /// <summary>The child's process id (for the CLI: the <c>dotnet</c> process running downshift.dll).</summary>
    public int Pid { get; }

    /// <summary>What the process has written to stdout so far.</summary>
    public string Stdout
    {
        get
        {
            lock (_gate)
            {
                return _stdout.ToString();
            }
        }
    }

    /// <summary>What the process has written to stderr so far.</summary>
    public string Stderr
    {
        get
        {
            lock (_gate)
            {
                return _stderr.ToString();
            }
        }
    }

    /// <summary>True once the process has exited.</summary>
    public bool HasExited => _process.HasExited;

    internal static RunningProcess Start(
        string fileName,
        IEnumerable<string> args,
        IReadOnlyDictionary<string, string?>? environment,
        string? workingDirectory,
        TimeSpan lifetime)
    {
        var info = new ProcessStartInfo(fileName)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        if (workingDirectory is not null)
        {
            info.WorkingDirectory = workingDirectory;
        }

        foreach (var (key, value) in environment ?? new Dictionary<string, string?>())
        {
            if (value is null)
            {
                info.Environment.Remove(key);
            }
            else
            {
                info.Environment[key] = value;
            }
        }

        var process = Process.Start(info) ?? throw new InvalidOperationException($"cannot start {fileName}");
        process.StandardInput.Close(); // Tests never type; a prompt must see end of input, not hang.
        var displayName = string.Join(' ', [fileName, .. info.ArgumentList]);
        return new RunningProcess(process, displayName, lifetime);
    }

    /// <summary>
    /// Waits until the process exits and returns what it left. If it has not exited within
    /// <paramref name="timeout"/>, kills the process tree and throws a <see cref="TimeoutException"/>
    /// that carries the output so far.
    /// </summary>
    public async Task<ProcessResult> WaitForExitAsync(TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        try
        {
            await _process.WaitForExitAsync(cancellationToken).WaitAsync(timeout, cancellationToken);
        }
        catch (TimeoutException)
        {
            KillTree();
            throw Failure($"did not exit within {timeout.TotalSeconds:0.#} s; killed it");
        }
        catch (OperationCanceledException)
        {
            KillTree();
            throw;
        }

        if (_killedByTimeout)
        {
            throw Failure("outlived its timeout and was killed");
        }

        try
        {
            await _pumps.WaitAsync(PipeDrainGrace, CancellationToken.None);
        }
        catch (TimeoutException)
        {
            // A grandchild still holds stdout or stderr open; what has arrived is the result.
        }

        return Snapshot(_process.ExitCode);
    }

    /// <summary>
    /// Waits until stdout or stderr contains <paramref name="text"/> (ordinal). Throws a
    /// <see cref="TimeoutException"/> with the output so far when the timeout passes or the
    /// process exits without writing it.
    /// </summary>
    public async Task WaitForOutputAsync(string text, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        var deadline = _stopwatch.Elapsed + timeout;
        while (true)
        {
            Task changed;
            lock (_gate)
            {
                if (_stdout.ToString().Contains(text, StringComparison.Ordinal) ||
                    _stderr.ToString().Contains(text, StringComparison.Ordinal))
                {
                    return;
                }

                changed = _changed.Task;
            }

            if (_pumps.IsCompleted)
            {
                throw Failure($"exited without writing \"{text}\"");
            }

            var remaining = deadline - _stopwatch.Elapsed;
            if (remaining <= TimeSpan.Zero)
            {
                throw Failure($"did not write \"{text}\" within {timeout.TotalSeconds:0.#} s");
            }

            try
            {
                await Task.WhenAny(changed, _pumps).WaitAsync(remaining, cancellationToken);
            }
            catch (TimeoutException)
            {
                // Checked again at the top, then reported with the output so far.
            }
        }
    }

    /// <summary>Sends a signal with <c>kill -s NAME PID</c> (to this process only, not its group).</summary>
    public async Task KillAsync(Signal signal, CancellationToken cancellationToken = default)
    {
        var name = signal switch
        {
            Signal.Int => "INT",
            Signal.Term => "TERM",
            Signal.Kill => "KILL",
            _ => throw new ArgumentOutOfRangeException(nameof(signal), signal, null),
        };
        var result = await CliRunner.RunProcessAsync(
            "kill", ["-s", name, Pid.ToString(System.Globalization.CultureInfo.InvariantCulture)],
            timeout: TimeSpan.FromSeconds(10), cancellationToken: cancellationToken);
        if (result.ExitCode != 0 && !HasExited)
        {
            throw new InvalidOperationException($"kill -s {name} {Pid} failed: {result}");
        }
    }

    /// <summary>Kills the process tree if it is still running.</summary>
    public async ValueTask DisposeAsync()
    {
        await _lifetime.CancelAsync();
        _lifetime.Dispose();
        try
        {
            await _pumps.WaitAsync(PipeDrainGrace);
        }
        catch (TimeoutException)
        {
            // Orphaned grandchildren may keep a pipe open; the tree kill above did what it could.
        }

        _process.Dispose();
    }

    private ProcessResult Snapshot(int exitCode) => new(exitCode, Stdout, Stderr, _stopwatch.Elapsed);

    private TimeoutException Failure(string what) =>
        new($"{_displayName} (pid {Pid}) {what}.\n--- stdout so far ---\n{Stdout}\n--- stderr so far ---\n{Stderr}");

    private void KillTree()
    {
        try
        {
            _process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // Already exited.
        }
        catch (System.ComponentModel.Win32Exception)
        {
            // Exited between the check and the kill.
        }
    }

    private async Task PumpAsync(StreamReader reader, StringBuilder sink)
    {
        var buffer = new char[4096];
        int read;
        while ((read = await reader.ReadAsync(buffer)) > 0)
        {
            TaskCompletionSource changed;
            lock (_gate)
            {
                sink.Append(buffer, 0, read);
                changed = _changed;
                _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            }

            changed.SetResult();
        }
    }
}
