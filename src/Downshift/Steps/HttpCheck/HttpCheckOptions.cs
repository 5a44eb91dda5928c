namespace Downshift.Steps.HttpCheck;

/// <summary>Options of an <c>http-check</c> step: one request and what its answer must be.</summary>
public sealed record HttpCheckOptions : StepOptions
{
    /// <summary>May hold <c>{{ host.address }}</c> and the like, filled in per host when the check runs.</summary>
    public required string Url { get; init; }

    public string Method { get; init; } = "GET";

    public string? Body { get; init; }

    public IReadOnlyDictionary<string, string> Headers { get; init; } = new Dictionary<string, string>();

    public int ExpectStatus { get; init; } = HttpCheckDefaults.ExpectStatus;

    public string? ExpectBody { get; init; }

    /// <summary>JSON path (<c>$.a.b[0]</c>) → expected value, compared as text.</summary>
    public IReadOnlyDictionary<string, string> ExpectJson { get; init; } = new Dictionary<string, string>();

    public TimeSpan? MaxLatency { get; init; }

    public TimeSpan UntilHealthy { get; init; } = HttpCheckDefaults.UntilHealthy;

    public TimeSpan Interval { get; init; } = HttpCheckDefaults.Interval;

    public TimeSpan RequestTimeout { get; init; } = HttpCheckDefaults.RequestTimeout;
}

public static class HttpCheckDefaults
{
    public const int ExpectStatus = 200;
    public static readonly TimeSpan UntilHealthy = TimeSpan.FromSeconds(30);
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);
    public static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(5);
    public static readonly IReadOnlyList<string> Methods = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"];
}
