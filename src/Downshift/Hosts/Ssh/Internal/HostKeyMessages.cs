namespace Downshift.Hosts.Ssh.Internal;

/// <summary>What the operator reads when a host key is refused: the host, the key, and what to do.</summary>
internal static class HostKeyMessages
{
    public static string Refusal(HostEntry host, HostKeyVerdict verdict, byte[] offered, string knownHostsPath)
    {
        var where = $"{host.Name} ({host.Address}:{host.Port})";
        var key = $"{KnownHosts.KeyTypeOf(offered)} {KnownHosts.Fingerprint(offered)}";
        return verdict.Status switch
        {
            HostKeyStatus.Changed when verdict.Entry is { } known =>
                $"the host key of {where} changed: known {known.KeyType} {KnownHosts.Fingerprint(known.KeyBlob)}, offered {key}. "
                + $"Someone may be intercepting the connection, or the host was reinstalled; if this is expected, remove line {known.Line} of {knownHostsPath} "
                + $"(ssh-keygen -R {Sh.Quote(KnownHosts.HostToken(host.Address, host.Port))} -f {Sh.Quote(knownHostsPath)}) and connect again. A changed key is never trusted automatically",
            HostKeyStatus.Revoked when verdict.Entry is { } revoked =>
                $"the host key of {where} is revoked (line {revoked.Line} of {knownHostsPath}): {key}",
            _ =>
                $"the host key of {where} is not known: {key} is not in {knownHostsPath}. Compare it with the host's own "
                + $"(ssh-keygen -lf /etc/ssh/ssh_host_*_key.pub on the host), then add it (ssh-keyscan -p {host.Port} {host.Address} >> {knownHostsPath}) "
                + "or pass --trust-new-host-keys to trust it on first use",
        };
    }
}
