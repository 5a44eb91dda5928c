using System.Diagnostics;
using Downshift.Hosts;
using Downshift.Plans;
using Downshift.Steps;

namespace Downshift.IntegrationTests.TestSupport;

/// <summary>A unique temp directory on this machine, the real <see cref="LocalTransport"/>, and a step context over them.</summary>
public sealed class StepHarness : IAsyncDisposable
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    private readonly TempDirectory root = new("downshift-steps-");

    public StepHarness()
    {
        Directory.CreateDirectory(PlanDirectory);
        Directory.CreateDirectory(HostDirectory);
    }

    public string Root => root.Path;

    public string PlanDirectory => Path.Combine(Root, "plan");

    public string HostDirectory => Path.Combine(Root, "host");

    public LocalTransport Host { get; } = new(TimeProvider.System);

    /// <summary>A context for one step; <paramref name="host"/> replaces <see cref="Host"/> (e.g. to count its commands).</summary>
    public StepContext Context(string kind, StepOptions options, IHostTransport? host = null) => new()
    {
        Host = host ?? Host,
        RunId = "run-1",
        Step = new PlanStep { Id = "step-1", Kind = kind, Phase = "test", Index = 0, Options = options, Undo = UndoSpec.Derived },
        WorkDirectory = Path.Combine(Root, "work"),
        PlanDirectory = PlanDirectory,
        Time = TimeProvider.System,
    };

    /// <summary>Mode, owner and group as <c>stat</c> shows them.</summary>
    public async Task<string> StatAsync(string path) =>
        (await Host.RunCheckedAsync($"stat -c '%a %U %G %F' -- {Sh.Quote(path)}", CancellationToken.None).WaitAsync(Timeout)).StdoutText.Trim();

    public async Task RunAsync(string script) =>
        await Host.RunCheckedAsync(script, CancellationToken.None).WaitAsync(Timeout);

    /// <summary>Makes a .tar.gz of <paramref name="directory"/> with the real tar.</summary>
    public static async Task CreateTarGzAsync(string directory, string archive, string? topFolder = null)
    {
        var info = new ProcessStartInfo("tar") { RedirectStandardError = true };
        foreach (var arg in new[] { "-czf", archive, "-C", topFolder is null ? directory : Path.GetDirectoryName(directory)!, topFolder ?? "." })
        {
            info.ArgumentList.Add(arg);
        }

        using var process = Process.Start(info)!;
        await process.WaitForExitAsync().WaitAsync(Timeout);
        Assert.Equal(0, process.ExitCode);
    }

    public ValueTask DisposeAsync()
    {
        root.Dispose();
        return ValueTask.CompletedTask;
    }
}
