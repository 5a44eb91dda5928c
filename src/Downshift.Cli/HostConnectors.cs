using System.CommandLine;
using Downshift.Hosts.Ssh;

namespace Downshift.Cli;

/// <summary>The one place the CLI makes the connector that run, resume, rollback and unlock reach hosts with.</summary>
internal static class HostConnectors
{
    public static SshConnector Create(ParseResult parse, CliOptions options, TimeProvider time) =>
        new(SshOptionsFrom(parse, options), time);

    public static SshOptions SshOptionsFrom(ParseResult parse, CliOptions options) => new()
    {
        KnownHostsPath = parse.GetValue(options.KnownHosts)
            ?? (Environment.GetEnvironmentVariable(SshDefaults.KnownHostsVariable) is { Length: > 0 } fromEnv ? fromEnv : SshDefaults.KnownHostsPath),
        TrustNewHostKeys = parse.GetValue(options.TrustNewHostKeys),
        KeyFile = parse.GetValue(options.SshKey),
        KeyPassphrase = Environment.GetEnvironmentVariable(SshDefaults.PassphraseVariable),
        User = parse.GetValue(options.SshUser) ?? SshDefaults.User,
        ConnectConcurrency = Math.Max(1, parse.GetValue(options.ConnectConcurrency)),
    };
}
