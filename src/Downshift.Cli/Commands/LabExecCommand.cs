using System.CommandLine;

namespace Downshift.Cli.Commands;

/// <summary><c>downshift lab exec HOST -- CMD...</c>: runs CMD with bash inside the host, without SSH; exits with its code.</summary>
internal static class LabExecCommand
{
    public static Command Create(CliOptions options, LabCliOptions lab)
    {
        var host = new Argument<string>("host") { Description = "h1..hN" };
        var script = new Argument<string[]>("command") { Description = "The command (joined with spaces, run by bash -c).", Arity = ArgumentArity.OneOrMore };
        var command = new Command("exec", "Run a command inside a host without SSH (nsenter); exits with its exit code.") { host, script };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var ui = options.Ui(parse);
            var instance = await lab.OpenAsync(parse, ui, cancellationToken);
            if (instance is null)
            {
                return ExitCodes.InvalidInput;
            }

            var result = await instance.ExecAsync(parse.GetValue(host)!, string.Join(' ', parse.GetValue(script)!), cancellationToken);
            await Console.Out.WriteAsync(result.Stdout);
            await Console.Error.WriteAsync(result.Stderr);
            return result.ExitCode;
        });
        return command;
    }
}
