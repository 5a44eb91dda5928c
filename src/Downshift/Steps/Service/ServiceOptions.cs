namespace Downshift.Steps.Service;

public enum ServiceAction
{
    Stop,
    Start,
    Restart,
}

/// <summary>Options of a <c>service</c> step.</summary>
public sealed record ServiceOptions : StepOptions
{
    public required string Name { get; init; }

    public required ServiceAction Action { get; init; }

    /// <summary>systemd, supervisor, sysv, or auto (decided on the host).</summary>
    public required string Manager { get; init; }

    public string? SupervisorConfig { get; init; }

    /// <summary>When set, start waits until this TCP port accepts connections on 127.0.0.1.</summary>
    public int? Port { get; init; }

    /// <summary>How long start/stop wait for the service to really be up or down.</summary>
    public TimeSpan Wait { get; init; } = ServiceDefaults.Wait;
}

public static class ServiceDefaults
{
    public static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);
    public static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(100);

    /// <summary>Time beyond <c>wait</c> for an action's script to read the final state and the recent log.</summary>
    public static readonly TimeSpan ReportGrace = TimeSpan.FromSeconds(15);
    public static readonly IReadOnlyList<string> Managers = ["auto", "systemd", "supervisor", "sysv"];
    public static readonly IReadOnlyList<string> Actions = ["stop", "start", "restart"];
}
