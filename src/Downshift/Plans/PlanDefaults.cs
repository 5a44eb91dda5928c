namespace Downshift.Plans;

/// <summary>Named defaults of the plan format.</summary>
public static class PlanDefaults
{
    public const int FormatVersion = 1;
    public static readonly TimeSpan StepTimeout = TimeSpan.FromMinutes(5);
    public const int Retries = 0;
    public static readonly TimeSpan RetryDelay = TimeSpan.FromSeconds(1);
    public const string LocalHost = "local";

    /// <summary>Hosts working at the same time when the plan's strategy does not say.</summary>
    public const int Concurrency = 10;
}
