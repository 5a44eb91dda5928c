namespace Downshift.IntegrationTests.TestSupport;

/// <summary>Waits for a condition outside the test's control (a process, a file, a host's state), with a limit.</summary>
internal static class Poll
{
    private static readonly TimeSpan DefaultInterval = TimeSpan.FromMilliseconds(100);

    /// <summary>Asks DONE every interval until it says yes; fails the test with WHAT once LIMIT has passed.</summary>
    public static Task UntilAsync(Func<Task<bool>> done, TimeSpan limit, string what, CancellationToken cancellationToken) =>
        UntilAsync(done, limit, () => what, cancellationToken);

    /// <summary>As above; WHAT is asked only on failure (it may describe the last state DONE saw).</summary>
    public static async Task UntilAsync(Func<Task<bool>> done, TimeSpan limit, Func<string> what, CancellationToken cancellationToken)
    {
        var start = TimeProvider.System.GetTimestamp();
        while (!await done())
        {
            if (TimeProvider.System.GetElapsedTime(start) >= limit)
            {
                Assert.Fail($"not within {limit.TotalSeconds:0.#} s: {what()}");
            }

            await Task.Delay(DefaultInterval, cancellationToken);
        }
    }
}
