using System.Security.Cryptography;
using System.Text;

namespace Downshift.Lab.Internal;

/// <summary>
/// The hosts' shared read-only root (the overlay lower dir): a minimal Debian bookworm made once with
/// debootstrap (~2–3 min), kept as a tarball and unpacked, both under /var/cache/downshift/lab and keyed
/// by a hash of the package list and <see cref="ScriptVersion"/>. A lock file (flock) makes concurrent
/// callers wait for one build instead of building twice.
/// </summary>
internal static class RootfsCache
{
    public const string CacheRootVariable = "DOWNSHIFT_LAB_CACHE";
    public const string DefaultCacheRoot = "/var/cache/downshift/lab";
    public const string Suite = "bookworm";

    /// <summary>Bump when <see cref="CustomizeScript"/> changes: a new key, a new rootfs.</summary>
    public const string ScriptVersion = "3";

    public static readonly IReadOnlyList<string> Packages =
        ["openssh-server", "python3", "iproute2", "curl", "procps", "supervisor", "sudo", "dnf", "rpm", "ca-certificates", "postgresql", "python3-psycopg2"];

    private const string Complete = ".downshift-rootfs-complete";

    public static string CacheRoot =>
        Environment.GetEnvironmentVariable(CacheRootVariable) is { Length: > 0 } dir ? dir : DefaultCacheRoot;

    public static string Key =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{Suite}|{string.Join(',', Packages)}|{ScriptVersion}|{CustomizeScript}")))[..12];

    public static string LowerDirectory => Path.Combine(CacheRoot, $"rootfs-{Key}");

    public static string Tarball => Path.Combine(CacheRoot, $"rootfs-{Key}.tar.gz");

    /// <summary>Returns the lower dir, building or unpacking it first when needed.</summary>
    public static async Task<string> EnsureAsync(IProgress<string> progress, CancellationToken cancellationToken)
    {
        var lower = LowerDirectory;
        if (File.Exists(Path.Combine(lower, Complete)))
        {
            return lower;
        }

        Directory.CreateDirectory(CacheRoot);
        await using var buildLock = await FileLock.AcquireAsync(
            Path.Combine(CacheRoot, "build.lock"), () => progress.Report("rootfs: another process is building it; waiting"), cancellationToken);
        if (File.Exists(Path.Combine(lower, Complete)))
        {
            return lower;
        }

        var staging = lower + ".tmp";
        await Run.CheckedAsync("rm", ["-rf", "--one-file-system", staging], cancellationToken);
        if (File.Exists(Tarball))
        {
            progress.Report($"rootfs: unpacking {Tarball}");
            Directory.CreateDirectory(staging);
            await Run.CheckedAsync("tar", ["-xzf", Tarball, "-C", staging, "--numeric-owner"], cancellationToken);
        }
        else
        {
            await BuildAsync(staging, progress, cancellationToken);
            progress.Report($"rootfs: packing {Tarball}");
            await Run.CheckedAsync("tar", ["-czf", Tarball + ".tmp", "-C", staging, "--numeric-owner", "."], cancellationToken);
            File.Move(Tarball + ".tmp", Tarball, overwrite: true);
        }

        await File.WriteAllTextAsync(Path.Combine(staging, Complete), Key + "\n", cancellationToken);
        await Run.CheckedAsync("rm", ["-rf", "--one-file-system", lower], cancellationToken);
        Directory.Move(staging, lower);
        progress.Report($"rootfs: ready at {lower}");
        return lower;
    }

    /// <summary>The Debian mirror this machine uses (deb822 sources first, then sources.list).</summary>
    public static string Mirror(string? debianSources, string? sourcesList)
    {
        foreach (var line in (debianSources ?? "").Split('\n'))
        {
            if (line.StartsWith("URIs:", StringComparison.Ordinal))
            {
                return line["URIs:".Length..].Trim().Split(' ')[0];
            }
        }

        foreach (var line in (sourcesList ?? "").Split('\n'))
        {
            var words = line.Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (words is ["deb", ..] && words.Skip(1).FirstOrDefault(w => !w.StartsWith('[')) is { } uri)
            {
                return uri;
            }
        }

        return "http://deb.debian.org/debian";
    }

    private static async Task BuildAsync(string staging, IProgress<string> progress, CancellationToken cancellationToken)
    {
        var mirror = Mirror(
            await ReadIfExistsAsync("/etc/apt/sources.list.d/debian.sources", cancellationToken),
            await ReadIfExistsAsync("/etc/apt/sources.list", cancellationToken));
        progress.Report($"rootfs: debootstrap {Suite} from {mirror} (once; 2–3 minutes)");
        var debs = Path.Combine(CacheRoot, "debs");
        Directory.CreateDirectory(debs);
        var steps = 0;
        var result = await Run.CaptureAsync(
            "debootstrap",
            ["--variant=minbase", $"--cache-dir={debs}", $"--include={string.Join(',', Packages)}", Suite, staging, mirror],
            cancellationToken,
            line =>
            {
                if (++steps % 100 == 0 || line.StartsWith("I: Base system", StringComparison.Ordinal) || line.StartsWith("I: Resolving", StringComparison.Ordinal))
                {
                    progress.Report($"rootfs: {line.Trim()} ({steps} steps)");
                }
            });
        if (!result.Succeeded)
        {
            var log = Path.Combine(staging, "debootstrap/debootstrap.log");
            throw DownshiftException.InvalidState(
                $"debootstrap failed (exit {result.ExitCode}): {(result.Stderr + result.Stdout).Trim()}" +
                (File.Exists(log) ? $"\n(see {log})" : ""));
        }

        progress.Report("rootfs: configuring (deploy user, dnf/rpm, apt clean)");
        await Run.CheckedAsync("chroot", [staging, "/bin/sh", "-c", CustomizeScript], cancellationToken);
    }

    private static async Task<string?> ReadIfExistsAsync(string path, CancellationToken cancellationToken) =>
        File.Exists(path) ? await File.ReadAllTextAsync(path, cancellationToken) : null;

    /// <summary>
    /// Runs inside the fresh rootfs (chroot): what every host shares. Notes: deploy gets the password
    /// '*' because sshd without PAM refuses a locked ('!') account even for key logins; Debian's rpm keeps
    /// its database in ~/.rpmdb unless %_dbpath says otherwise, and Debian has no system-release package
    /// for dnf's $releasever, hence /etc/rpm/macros and /etc/dnf/vars/releasever.
    /// </summary>
    public static string CustomizeScript =>
        """
        set -e
        export PATH=/usr/sbin:/usr/bin:/sbin:/bin
        rm -f /etc/ssh/ssh_host_*
        printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d
        chmod 755 /usr/sbin/policy-rc.d
        id deploy >/dev/null 2>&1 || useradd --create-home --shell /bin/bash deploy
        usermod --password '*' deploy
        install -d -m 700 -o deploy -g deploy /home/deploy/.ssh
        install -d -m 700 /root/.ssh
        echo 'deploy ALL=(ALL) NOPASSWD: ALL' > /etc/sudoers.d/deploy
        chmod 440 /etc/sudoers.d/deploy
        printf 'export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\n' > /root/.profile
        printf '# downshift lab: a clean root profile\n' > /root/.bashrc
        mkdir -p /var/lib/rpm /etc/rpm /etc/dnf/vars /etc/yum.repos.d
        echo '%_dbpath /var/lib/rpm' > /etc/rpm/macros
        rpm --initdb
        echo 12 > /etc/dnf/vars/releasever
        printf '[main]\ngpgcheck=0\ninstallonly_limit=3\nclean_requirements_on_remove=True\nbest=False\nskip_if_unavailable=False\nreposdir=/etc/yum.repos.d\ninstall_weak_deps=False\n' > /etc/dnf/dnf.conf
        [ -d /var/lib/postgresql/15/main ] || pg_createcluster 15 main
        printf '[program:postgresql]\ncommand=/bin/sh -c "install -d -o postgres -g postgres -m 2775 /run/postgresql && exec runuser -u postgres -- /usr/lib/postgresql/15/bin/postgres -D /var/lib/postgresql/15/main -c config_file=/etc/postgresql/15/main/postgresql.conf"\nautostart=false\nautorestart=false\nstopsignal=INT\nstopwaitsecs=30\nredirect_stderr=true\nstdout_logfile=/var/log/postgresql.log\n' > /etc/supervisor/conf.d/postgresql.conf
        rm -f /etc/apt/sources.list
        apt-get clean
        rm -rf /var/lib/apt/lists/* /var/cache/apt/*.bin
        """;
}
