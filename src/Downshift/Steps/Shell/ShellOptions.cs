namespace Downshift.Steps.Shell;

/// <summary>A command for bash on the host; exit 0 is success.</summary>
public sealed record ShellOptions(string Command, IReadOnlyDictionary<string, string> Environment) : StepOptions;
