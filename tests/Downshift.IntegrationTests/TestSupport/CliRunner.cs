using System.Runtime.InteropServices;

namespace Downshift.IntegrationTests.TestSupport;

/// <summary>
/// Runs the real, built <c>downshift</c> CLI (or any program) as a child process. Every wait is
/// bounded: a process that outlives its timeout is killed with its whole tree and the test fails
/// with the output it wrote so far.
/// </summary>
public static class CliRunner
{
    /// <summary>How long a child process may run unless a test says otherwise.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(120);

    /// <summary>
    /// The CLI's build output. The test project references src/Downshift.Cli, so <c>downshift.dll</c>
    /// is copied next to the test assembly.
    /// </summary>
    public static string CliDllPath
    {
        get
        {
            var path = Path.Combine(AppContext.BaseDirectory, "downshift.dll");
            return File.Exists(path)
                ? path
                : throw new FileNotFoundException(
                    $"downshift.dll is not next to the test assembly in {AppContext.BaseDirectory}; " +
                    "does the test project still reference src/Downshift.Cli?",
                    path);
        }
    }

    /// <summary>The <c>dotnet</c> host that runs the tests, so the CLI runs on the same runtime.</summary>
    public static string DotnetHostPath { get; } = FindDotnetHost();

    /// <summary>Runs <c>dotnet downshift.dll ARGS</c> and waits for it to exit.</summary>
    public static Task<ProcessResult> RunAsync(
        IEnumerable<string> args,
        IReadOnlyDictionary<string, string?>? environment = null,
        string? workingDirectory = null,
        TimeSpan? timeout = null,
        CancellationToken cancellationToken = default) =>
        RunProcessAsync(DotnetHostPath, [CliDllPath, .. args], WithCliDefaults(environment), workingDirectory, timeout, cancellationToken);

    /// <summary>Starts <c>dotnet downshift.dll ARGS</c> and returns at once; see <see cref="RunningProcess"/>.</summary>
    public static Task<RunningProcess> StartAsync(
        IEnumerable<string> args,
        IReadOnlyDictionary<string, string?>? environment = null,
        string? workingDirectory = null,
        TimeSpan? timeout = null) =>
        StartProcessAsync(DotnetHostPath, [CliDllPath, .. args], WithCliDefaults(environment), workingDirectory, timeout);

    /// <summary>Runs any program (no shell in between) and waits for it to exit.</summary>
    public static async Task<ProcessResult> RunProcessAsync(
        string fileName,
        IEnumerable<string> args,
        IReadOnlyDictionary<string, string?>? environment = null,
        string? workingDirectory = null,
        TimeSpan? timeout = null,
        CancellationToken cancellationToken = default)
    {
        var limit = timeout ?? DefaultTimeout;
        await using var process = RunningProcess.Start(fileName, args, environment, workingDirectory, limit);
        return await process.WaitForExitAsync(limit, cancellationToken);
    }

    /// <summary>
    /// Starts any program and returns at once. The process is killed with its tree when
    /// <paramref name="timeout"/> has passed or the handle is disposed, whichever comes first.
    /// </summary>
    public static Task<RunningProcess> StartProcessAsync(
        string fileName,
        IEnumerable<string> args,
        IReadOnlyDictionary<string, string?>? environment = null,
        string? workingDirectory = null,
        TimeSpan? timeout = null) =>
        Task.FromResult(RunningProcess.Start(fileName, args, environment, workingDirectory, timeout ?? DefaultTimeout));

    private static Dictionary<string, string?> WithCliDefaults(IReadOnlyDictionary<string, string?>? environment)
    {
        var merged = new Dictionary<string, string?>(StringComparer.Ordinal)
        {
            ["DOTNET_NOLOGO"] = "1",
            ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1",
            ["NO_COLOR"] = "1",
        };
        foreach (var (key, value) in environment ?? new Dictionary<string, string?>())
        {
            merged[key] = value;
        }

        return merged;
    }

    private static string FindDotnetHost()
    {
        if (Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } hostPath && File.Exists(hostPath))
        {
            return hostPath;
        }

        // <root>/shared/Microsoft.NETCore.App/<version>/ -> <root>/dotnet
        var runtimeDirectory = RuntimeEnvironment.GetRuntimeDirectory();
        var candidate = Path.GetFullPath(Path.Combine(runtimeDirectory, "..", "..", "..", "dotnet"));
        return File.Exists(candidate) ? candidate : "dotnet";
    }
}
