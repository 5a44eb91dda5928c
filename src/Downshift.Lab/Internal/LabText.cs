using System.Text;

namespace Downshift.Lab.Internal;

/// <summary>The text of the files a lab writes for its clients: inventory, ssh_config, known_hosts.</summary>
internal static class LabText
{
    public const string InventoryGroup = "lab";

    /// <summary>An Ansible INI inventory: group [lab] with every host, and the connection settings in [lab:vars].</summary>
    public static string Inventory(string lab, IEnumerable<LabHost> hosts, string privateKeyPath, string knownHostsPath)
    {
        var text = new StringBuilder()
            .Append("# downshift lab '").Append(lab).Append("' (written by downshift lab up)\n")
            .Append('[').Append(InventoryGroup).Append("]\n");
        foreach (var host in hosts)
        {
            text.Append(host.Name)
                .Append(" ansible_host=").Append(host.Address)
                .Append(" ansible_port=").Append(host.Port)
                .Append(" ansible_user=root")
                .Append(" ansible_ssh_private_key_file=").Append(privateKeyPath)
                .Append('\n');
        }

        return text
            .Append('\n')
            .Append('[').Append(InventoryGroup).Append(":vars]\n")
            .Append("ansible_python_interpreter=/usr/bin/python3\n")
            .Append("ansible_ssh_common_args='-o UserKnownHostsFile=").Append(knownHostsPath)
            .Append(" -o StrictHostKeyChecking=yes -o IdentitiesOnly=yes'\n")
            .ToString();
    }

    /// <summary>An ssh_config for <c>ssh -F</c>: one Host block per host name, strict host keys, batch mode.</summary>
    public static string SshConfig(IEnumerable<LabHost> hosts, string privateKeyPath, string knownHostsPath)
    {
        var text = new StringBuilder();
        foreach (var host in hosts)
        {
            text.Append("Host ").Append(host.Name).Append(' ').Append(host.Address).Append('\n')
                .Append("  HostName ").Append(host.Address).Append('\n')
                .Append("  Port ").Append(host.Port).Append('\n');
        }

        return text
            .Append("\nHost *\n")
            .Append("  User root\n")
            .Append("  IdentityFile ").Append(privateKeyPath).Append('\n')
            .Append("  IdentitiesOnly yes\n")
            .Append("  UserKnownHostsFile ").Append(knownHostsPath).Append('\n')
            .Append("  GlobalKnownHostsFile /dev/null\n")
            .Append("  StrictHostKeyChecking yes\n")
            .Append("  BatchMode yes\n")
            .Append("  PasswordAuthentication no\n")
            .Append("  ConnectTimeout 5\n")
            .Append("  LogLevel ERROR\n")
            .ToString();
    }

    /// <summary>known_hosts: each host's key under its address and its name (port 22 needs no brackets).</summary>
    public static string KnownHosts(IEnumerable<(LabHost Host, string PublicKey)> keys)
    {
        var text = new StringBuilder();
        foreach (var (host, publicKey) in keys)
        {
            var fields = publicKey.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            var key = string.Join(' ', fields.Take(2));
            var names = host.Port == 22 ? $"{host.Address},{host.Name}" : $"[{host.Address}]:{host.Port},[{host.Name}]:{host.Port}";
            text.Append(names).Append(' ').Append(key).Append('\n');
        }

        return text.ToString();
    }
}
