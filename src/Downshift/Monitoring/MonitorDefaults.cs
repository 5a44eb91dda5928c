namespace Downshift.Monitoring;

/// <summary>The named defaults of monitoring.</summary>
public static class MonitorDefaults
{
    /// <summary>How often a monitor reads every host and closes every probe's window.</summary>
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);

    /// <summary>The bound of one host reading (a /proc read, a log read): past it the command is killed.</summary>
    public static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(5);

    /// <summary>The bound of one probe request: past it the request counts as failed.</summary>
    public static readonly TimeSpan ProbeTimeout = TimeSpan.FromSeconds(5);

    /// <summary>Points kept per series in memory (one hour at a 1 s interval); older ones drop off.</summary>
    public const int RingCapacity = 3600;

    /// <summary>The most a log read takes from a file at once; the rest comes with the next reads.</summary>
    public const int MaxLogReadBytes = 4 * 1024 * 1024;

    /// <summary>How long <see cref="MetricJournalWriter"/> gathers a host's points before it writes one record.</summary>
    public static readonly TimeSpan JournalFlushInterval = TimeSpan.FromSeconds(10);

    /// <summary>
    /// How long a stopping monitor waits for readings still in flight (a host that hangs can take its
    /// command's timeout and more to give up): past it they are left to end by themselves.
    /// </summary>
    public static readonly TimeSpan StopGrace = TimeSpan.FromSeconds(2);

    /// <summary>A regex gets this long per line; a line that takes longer is not counted, and the read says so.</summary>
    public static readonly TimeSpan RegexTimeout = TimeSpan.FromSeconds(1);
}
