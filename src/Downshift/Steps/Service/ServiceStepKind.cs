namespace Downshift.Steps.Service;

/// <summary>
/// <c>service</c>: stop, start or restart a service through its manager (systemd, supervisor, sysv).
/// Start waits until the process runs and, when a port is given, accepts connections. The undo
/// returns the service to the state it had before the step.
/// </summary>
public sealed class ServiceStepKind : IStepKind
{
    public string Name => "service";

    public string Summary => "Stop, start or restart a service (systemd, supervisor, sysv) and wait until it really is.";

    public UndoSupport Undo => UndoSupport.Derived;

    public IReadOnlyList<OptionField> Fields { get; } =
    [
        new("name", OptionType.String, "The service's name in its manager.", Required: true),
        new("action", OptionType.String, "What to do.", Required: true, Allowed: ServiceDefaults.Actions),
        new("manager", OptionType.String, "The service manager; auto picks supervisor when supervisor-config is set, else systemd when it runs, else sysv.", Allowed: ServiceDefaults.Managers),
        new("supervisor-config", OptionType.String, "supervisord.conf to pass to supervisorctl -c."),
        new("port", OptionType.Integer, "TCP port on 127.0.0.1 that must accept connections before a start counts as done."),
        new("wait", OptionType.Duration, "How long to wait for the service to be up or down (default 30s)."),
    ];

    public StepOptions? Bind(IStepOptionsReader reader)
    {
        var name = reader.String("name", required: true);
        var action = reader.OneOf("action", ServiceDefaults.Actions, required: true);
        var manager = reader.OneOf("manager", ServiceDefaults.Managers) ?? "auto";
        var supervisorConfig = reader.String("supervisor-config");
        var port = reader.Integer("port", min: 1, max: 65535);
        var wait = reader.Duration("wait") ?? ServiceDefaults.Wait;
        if (supervisorConfig is not null && manager is not ("supervisor" or "auto"))
        {
            reader.Error("supervisor-config", $"'supervisor-config' is for the supervisor manager, not '{manager}'");
            return null;
        }

        return name is null || action is null
            ? null
            : new ServiceOptions
            {
                Name = name,
                Action = Enum.Parse<ServiceAction>(action, ignoreCase: true),
                Manager = manager == "auto" && supervisorConfig is not null ? "supervisor" : manager,
                SupervisorConfig = supervisorConfig,
                Port = port,
                Wait = wait,
            };
    }

    public IStepExecutor CreateExecutor(StepOptions options) => new ServiceExecutor((ServiceOptions)options);
}
