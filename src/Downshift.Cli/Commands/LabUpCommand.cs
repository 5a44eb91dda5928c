using System.CommandLine;
using Downshift.Lab;
using Spectre.Console;

namespace Downshift.Cli.Commands;

/// <summary><c>downshift lab up N [--name] [--subnet] [--repo] [--json]</c>.</summary>
internal static class LabUpCommand
{
    public static Command Create(CliOptions options, LabCliOptions lab)
    {
        var count = new Argument<int>("hosts") { Description = "How many hosts (h1..hN)." };
        var subnet = new Option<string?>("--subnet") { Description = "First three octets of the lab's /24, e.g. 10.201.7 (default: a free 10.2xx.y)." };
        var repo = new Option<string?>("--repo") { Description = "Directory served to the hosts at http://SUBNET.1:8088 (deb/ for apt, rpm/ for dnf)." };
        var command = new Command("up", "Bring up N hosts (the first one builds the cached Debian rootfs: minutes). Prints one line per host and the client files.")
        {
            count, subnet, repo,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var ui = options.Ui(parse);
            var labOptions = new LabOptions
            {
                Name = parse.GetValue(lab.Name)!,
                Hosts = parse.GetValue(count),
                Subnet = parse.GetValue(subnet),
                RepositoryDirectory = parse.GetValue(repo),
                StateRoot = parse.GetValue(lab.StateRoot)!,
            };
            if (labOptions.Validate() is { Count: > 0 } errors)
            {
                foreach (var error in errors)
                {
                    ui.Fail(error);
                }

                return ExitCodes.InvalidInput;
            }

            var started = TimeProvider.System.GetTimestamp();
            var instance = await Lab.Lab.UpAsync(labOptions, new LineProgress(line => ui.Line($"[grey]{Markup.Escape(line)}[/]")), cancellationToken);
            var elapsed = TimeProvider.System.GetElapsedTime(started);
            var status = await instance.StatusAsync(cancellationToken);
            if (ui.Json)
            {
                ui.Data(LabCommand.HostsJson(instance, status));
            }

            LabCommand.WriteHosts(ui, status);
            ui.Plain($"lab {instance.Name}: {status.Count(s => s.Up)}/{status.Count} hosts up on {instance.Subnet}.0/24 in {elapsed.TotalSeconds:0.0} s");
            LabCommand.WriteFiles(ui, instance);
            return status.All(s => s.Up) ? ExitCodes.Success : ExitCodes.Failed;
        });
        return command;
    }

    /// <summary>Reports each line at once, on the caller's thread (Progress&lt;T&gt; would post them out of order).</summary>
    private sealed class LineProgress(Action<string> write) : IProgress<string>
    {
        public void Report(string value) => write(value);
    }
}
