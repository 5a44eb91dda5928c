namespace Downshift.Lab;

/// <summary>One host of a lab: its name (h1..hN), its address on the lab's /24 and its SSH port.</summary>
public sealed record LabHost(string Name, string Address, int Port = 22);

/// <summary>What <see cref="LabInstance.ExecAsync"/> returns: the exit code and both streams.</summary>
public sealed record LabExecResult(int ExitCode, string Stdout, string Stderr)
{
    public bool Succeeded => ExitCode == 0;

    /// <summary>Both streams, for messages.</summary>
    public string Output => Stdout + Stderr;
}

/// <summary>A host as <see cref="Lab.StatusAsync"/> sees it: its init PID (null when down), process count and memory.</summary>
public sealed record LabHostStatus(string Lab, LabHost Host, bool Up, int? UnsharePid, int? InitPid, int Processes, long RssKilobytes, bool LinkUp);
