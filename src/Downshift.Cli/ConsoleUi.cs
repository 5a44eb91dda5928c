using Spectre.Console;

namespace Downshift.Cli;

/// <summary>
/// All terminal output goes through here. Human text goes to stdout, or to stderr when --json is
/// on (then stdout carries only data). Errors always go to stderr.
/// </summary>
public sealed class ConsoleUi(IAnsiConsole stdout, IAnsiConsole stderr, bool json)
{
    public bool Json { get; } = json;

    /// <summary>Where human-readable progress and tables go.</summary>
    public IAnsiConsole Human => Json ? stderr : stdout;

    public IAnsiConsole Error => stderr;

    public static ConsoleUi Create(bool json) => new(
        Terminal(Console.Out, Console.IsOutputRedirected),
        Terminal(Console.Error, Console.IsErrorRedirected),
        json);

    /// <summary>
    /// A console on a writer. When redirected (a pipe, a file, CI) lines are never wrapped, so every
    /// line stays whole for grep.
    /// </summary>
    private static IAnsiConsole Terminal(TextWriter writer, bool redirected)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(writer) });
        if (redirected)
        {
            console.Profile.Width = 4096;
        }

        return console;
    }

    /// <summary>Writes machine-readable data to stdout, verbatim.</summary>
    public void Data(string text) => stdout.Profile.Out.Writer.WriteLine(text);

    public void Line(string text) => Human.MarkupLine(text);

    public void Plain(string text) => Human.WriteLine(text);

    public void Fail(string text) => stderr.MarkupLineInterpolated($"[red]error:[/] {text}");
}
