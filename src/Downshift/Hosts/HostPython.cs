namespace Downshift.Hosts;

/// <summary>
/// Runs a small Python program on a host: the system <c>/usr/bin/python3</c> when there is one (a
/// <c>python3</c> earlier on PATH may be a version manager's shim, which costs more to start than the
/// program itself), else <c>python3</c> from PATH; isolated (<c>-I -S</c>) so no user site or
/// environment changes what it does. A host without Python fails with exit code 127.
/// </summary>
public static class HostPython
{
    /// <summary>The <c>sh -c</c> script that runs the program in <c>$0</c> with the arguments after it.</summary>
    public const string Runner = "p=/usr/bin/python3; [ -x \"$p\" ] || p=python3; exec \"$p\" -I -S -c \"$0\" \"$@\"";

    /// <summary>The shell words <c>sh -c RUNNER PROGRAM</c>, quoted; the caller appends the program's arguments.</summary>
    public static string Invocation(string program) => $"sh -c {Sh.Quote(Runner)} {Sh.Quote(program)}";
}
