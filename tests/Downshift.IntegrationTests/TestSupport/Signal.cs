namespace Downshift.IntegrationTests.TestSupport;

/// <summary>The signals tests send to a running process (with <c>kill -s NAME PID</c>).</summary>
public enum Signal
{
    /// <summary>Ctrl+C.</summary>
    Int,

    /// <summary>A polite stop, as a service manager sends.</summary>
    Term,

    /// <summary>A crash or power cut: the process gets no chance to clean up.</summary>
    Kill,
}
