using Downshift.Hosts;

namespace Downshift.Lab.Internal;

/// <summary>The text of the files each host gets in its own overlay upper dir before it starts.</summary>
internal static class HostRootText
{
    public static string SshdConfig =>
        """
        # downshift lab: one sshd per host, keys only
        HostKey /etc/ssh/ssh_host_ed25519_key
        PermitRootLogin prohibit-password
        PasswordAuthentication no
        KbdInteractiveAuthentication no
        UsePAM no
        UseDNS no
        MaxStartups 200:30:400
        PrintMotd no

        """;

    public static string SupervisorSshd =>
        """
        [program:sshd]
        command=/usr/sbin/sshd -D -e
        autorestart=true
        startsecs=0
        priority=10
        stdout_logfile=/var/log/supervisor/sshd.log
        redirect_stderr=true

        """;

    public static string Hosts(LabHost host, string gateway) =>
        $"127.0.0.1 localhost\n{host.Address} {host.Name}\n{gateway} repo\n";

    public static string AptSources(string repositoryUrl) =>
        $"deb [trusted=yes] {repositoryUrl}/deb ./\n";

    /// <summary>apt reads only the lab's list: no sources.list, no other parts (the Debian mirror is unreachable).</summary>
    public static string AptOnlyLab =>
        "Dir::Etc::sourcelist \"sources.list.d/lab.list\";\nDir::Etc::sourceparts \"-\";\nAcquire::Languages \"none\";\nAcquire::Retries \"0\";\n";

    public static string YumRepo(string repositoryUrl) =>
        $"[lab]\nname=downshift lab\nbaseurl={repositoryUrl}/rpm\nenabled=1\ngpgcheck=0\nrepo_gpgcheck=0\nmetadata_expire=0\n";

    /// <summary>For <c>ip -batch</c>: each host's netns, and its veth with one end (eth0) inside and the other in the bridge.</summary>
    public static string NetworkBatch(LabNames names, IEnumerable<int> indexes)
    {
        var text = new System.Text.StringBuilder();
        foreach (var i in indexes)
        {
            text.Append($"netns add {names.Netns(i)}\n")
                .Append($"link add {names.Veth(i)} type veth peer name eth0 netns {names.Netns(i)}\n")
                .Append($"link set {names.Veth(i)} master {names.Bridge} up\n");
        }

        return text.ToString();
    }

    /// <summary>
    /// The host's first process, run by <c>unshare</c> as PID 1 of its pid namespace: mounts the overlay
    /// root and the kernel file systems, installs the seed files (through the overlay, so directories
    /// keep their owners), then becomes supervisord inside the root.
    /// </summary>
    public static string InitScript(LabHost host, string mountName, string lower, string hostDirectory)
    {
        var hostName = host.Name;
        var m = Sh.Quote(Path.Combine(hostDirectory, "merged"));
        var seed = Sh.Quote(Path.Combine(hostDirectory, "seed"));
        var upper = Path.Combine(hostDirectory, "upper");
        var work = Path.Combine(hostDirectory, "work");
        return $"""
            set -e
            ip addr add {host.Address}/24 dev eth0
            ip link set eth0 up
            ip link set lo up
            hostname {Sh.Quote(hostName)}
            mount -t overlay {Sh.Quote(mountName)} -o {Sh.Quote($"lowerdir={lower},upperdir={upper},workdir={work}")} {m}
            mount -t proc proc {m}/proc
            mount -t sysfs sysfs {m}/sys
            mount --rbind /dev {m}/dev
            mount -t tmpfs -o mode=755,size=64m tmpfs {m}/run
            mount -t tmpfs -o mode=1777,size=256m tmpfs {m}/tmp
            mkdir -p {m}/run/sshd {m}/var/log/supervisor {m}/etc/ssh/sshd_config.d {m}/etc/supervisor/conf.d
            install -m 600 {seed}/ssh_host_ed25519_key {m}/etc/ssh/ssh_host_ed25519_key
            install -m 644 {seed}/ssh_host_ed25519_key.pub {m}/etc/ssh/ssh_host_ed25519_key.pub
            install -m 644 {seed}/sshd-lab.conf {m}/etc/ssh/sshd_config.d/lab.conf
            install -m 644 {seed}/supervisor-sshd.conf {m}/etc/supervisor/conf.d/sshd.conf
            install -m 600 {seed}/authorized_keys {m}/root/.ssh/authorized_keys
            install -m 600 {seed}/authorized_keys {m}/home/deploy/.ssh/authorized_keys
            chroot {m} chown deploy:deploy /home/deploy/.ssh/authorized_keys
            install -m 644 {seed}/hostname {m}/etc/hostname
            install -m 644 {seed}/hosts {m}/etc/hosts
            install -m 644 {seed}/lab.list {m}/etc/apt/sources.list.d/lab.list
            install -m 644 {seed}/99lab-only {m}/etc/apt/apt.conf.d/99lab-only
            install -m 644 {seed}/lab.repo {m}/etc/yum.repos.d/lab.repo
            cd {m}
            exec chroot {m} /usr/bin/env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 HOME=/root /usr/bin/supervisord -n -c /etc/supervisor/supervisord.conf
            """;
    }
}
