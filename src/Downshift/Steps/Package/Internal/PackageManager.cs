using Downshift.Hosts;

namespace Downshift.Steps.Package.Internal;

/// <summary>
/// One package manager as bash: the executor runs the same protocol for apt and dnf. Every script
/// gets the variables <c>P</c> (package), <c>V</c> (target version), <c>W</c> (the step's work
/// directory), <c>C</c> (<c>old</c> or <c>new</c> conffile policy) and the function
/// <c>pkgfile VERSION</c> (where that version's package file is saved), and reports on stdout as
/// <c>key=value</c> lines; a reason for failing goes to stderr.
/// </summary>
internal abstract class PackageManager
{
    public abstract string Kind { get; }

    /// <summary>Bash functions every script of this manager can use (at least <c>pkgfile</c>, <c>verify FILE VERSION</c>, <c>query</c>).</summary>
    public abstract string Functions { get; }

    /// <summary>Saves the target and the installed package under <c>W</c> and simulates the change; prints <c>installed=</c>, <c>saved=</c>, <c>simulation=</c> lines.</summary>
    public abstract string Stage { get; }

    /// <summary>Prints <c>installed=</c>, <c>held=</c>, <c>conffile=</c> and <c>leftover=</c> lines.</summary>
    public abstract string Prepare { get; }

    /// <summary>Installs <c>pkgfile $V</c> non-interactively, holds when <c>H=1</c>; prints <c>after=</c>, <c>leftover=</c>, <c>note=</c>.</summary>
    public abstract string Execute { get; }

    /// <summary>Reinstalls <c>PV</c> from <c>pkgfile $PV</c> (or removes the package when <c>PV</c> is empty), restores <c>HELD</c>, removes leftovers not in <c>LEFT</c>.</summary>
    public abstract string Undo { get; }

    /// <summary>What a simulated transaction in the stage output would change.</summary>
    public abstract IReadOnlyList<PackageChange> ParseSimulation(string simulation);

    /// <summary>Whether an installed version (as <c>query</c> prints it) is the version the plan asks for.</summary>
    public abstract bool IsVersion(string installed, string wanted);

    public static async Task<PackageManager> ResolveAsync(PackageOptions options, IHostTransport host, CancellationToken cancellationToken)
    {
        var kind = options.Manager;
        if (kind == "auto")
        {
            var probe = await host.RunAsync(
                new HostCommand("if command -v dpkg-query >/dev/null; then echo apt; elif command -v dnf >/dev/null; then echo dnf; else echo none; fi")
                { Journaled = false },
                cancellationToken);
            kind = probe.StdoutText.Trim();
        }

        return kind switch
        {
            "apt" => new AptManager(),
            "dnf" => new DnfManager(),
            _ => throw DownshiftException.InvalidState(
                $"no package manager found on '{host.HostName}' for '{options.Name}' (neither dpkg-query nor dnf)"),
        };
    }
}
