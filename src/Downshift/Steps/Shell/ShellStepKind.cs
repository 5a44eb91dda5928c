namespace Downshift.Steps.Shell;

/// <summary>
/// <c>shell</c>: runs a command. It has no undo of its own (the plan declares one) and no check of
/// its own (the plan's <c>check</c> tells whether it already took effect).
/// </summary>
public sealed class ShellStepKind : IStepKind
{
    public string Name => "shell";

    public string Summary => "Run a shell command on the host; declare its check and undo.";

    public UndoSupport Undo => UndoSupport.Declared;

    public IReadOnlyList<OptionField> Fields { get; } =
    [
        new("command", OptionType.String, "The command, run with bash -c on the host. Exit 0 is success.", Required: true),
        new("env", OptionType.StringMap, "Environment variables for the command."),
    ];

    public StepOptions? Bind(IStepOptionsReader reader)
    {
        var command = reader.String("command", required: true);
        var env = reader.StringMap("env") ?? new Dictionary<string, ScalarValue>();
        return command is null
            ? null
            : new ShellOptions(command, env.ToDictionary(kv => kv.Key, kv => kv.Value.Text, StringComparer.Ordinal));
    }

    public IStepExecutor CreateExecutor(StepOptions options) => new ShellExecutor((ShellOptions)options);
}
