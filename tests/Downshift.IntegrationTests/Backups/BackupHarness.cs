using System.Security.Cryptography;
using Downshift.Backups;
using Downshift.Hosts;

namespace Downshift.IntegrationTests.Backups;

/// <summary>
/// A store and a "host" tree in a temp directory on this machine, reached through the real
/// <see cref="LocalTransport"/> (so the real find and tar run), and helpers to take, verify and compare backups.
/// </summary>
public sealed class BackupHarness : IAsyncDisposable
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    private readonly TempDirectory root = new("downshift-backups-");

    public BackupHarness(BackupKey? key = null)
    {
        Directory.CreateDirectory(Source);
        Store = new BackupStore(StoreRoot, TimeProvider.System, key);
    }

    public string Source => root.Combine("host", "srv", "app data");

    public string StoreRoot => root.Combine("store");

    public BackupStore Store { get; }

    public LocalTransport Host { get; } = new(TimeProvider.System);

    public static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>An absolute path in the temp directory.</summary>
    public string Combine(params string[] parts) => root.Combine(parts);

    /// <summary>Takes a backup of <see cref="Source"/> (incremental on <paramref name="parent"/> when given).</summary>
    public async Task<BackupManifest> BackUpAsync(BackupManifest? parent = null, BackupStore? store = null, IReadOnlyList<string>? paths = null)
    {
        store ??= Store;
        await using var writer = await store.BeginAsync(
            new BackupRequest(Host.HostName, "step-1", parent is null ? BackupKind.Full : BackupKind.Incremental, parent?.Id, "run-1"), Ct).WaitAsync(Timeout, Ct);
        await writer.AddFilesAsync("files", Host, paths ?? [Source], parent, Ct).WaitAsync(Timeout, Ct);
        return await writer.CommitAsync(Ct).WaitAsync(Timeout, Ct);
    }

    public async Task<FilesVerdict> VerifyAsync(BackupManifest manifest, BackupStore? store = null)
    {
        store ??= Store;
        var chain = await store.ChainAsync(manifest.Id, Ct).WaitAsync(Timeout, Ct);
        return await BackupVerifier.VerifyFilesAsync(store, chain, "files", BackupVerifier.ScratchDirectory(store, chain, "files"), Ct).WaitAsync(Timeout, Ct);
    }

    /// <summary>Restores the chain of <paramref name="manifest"/> into a new directory; returns where <see cref="Source"/> landed in it.</summary>
    public async Task<string> RestoreAsync(BackupManifest manifest, BackupStore? store = null)
    {
        store ??= Store;
        var target = Combine("restored-" + manifest.Id);
        var chain = await store.ChainAsync(manifest.Id, Ct).WaitAsync(Timeout, Ct);
        await FileRestore.ToDirectoryAsync(store, chain, "files", target, Ct).WaitAsync(Timeout, Ct);
        return target + Source;
    }

    public async Task RunAsync(string script) => await Host.RunCheckedAsync(script, Ct).WaitAsync(Timeout, Ct);

    /// <summary>
    /// A small tree with what a backup must keep: modes (setuid, 0600, 0750 dirs), an owner other than
    /// root, fixed mtimes, empty directories, relative, absolute and dangling symlinks, unicode,
    /// spaces and a newline in names, an empty file and a 3 MiB one.
    /// </summary>
    public async Task MakeMixedTreeAsync()
    {
        var s = Sh.Quote(Source);
        await RunAsync(
            $"set -e; cd {s}; mkdir -p conf 'empty dir' 'déjà vu/日本' deep/a/b/c; " +
            "printf 'port = 80\\n' > conf/app.conf; chmod 0640 conf/app.conf; chown nobody:nogroup conf/app.conf; " +
            "printf 'secret' > conf/key; chmod 0600 conf/key; printf '#!/bin/sh\\n' > run.sh; chmod 4755 run.sh; " +
            ": > empty.txt; printf 'ü' > 'déjà vu/日本/ファイル name.txt'; printf 'x' > \"$(printf 'new\\nline')\"; " +
            "head -c 3145728 /dev/urandom > deep/a/b/c/blob.bin; ln -s conf/app.conf link-rel; ln -s /etc/hostname link-abs; ln -s missing link-dangling; " +
            "chmod 0750 deep; touch -h -d '2021-03-04 05:06:07.123456789' conf/app.conf link-rel 'empty dir' conf");
    }

    /// <summary>Every path under <paramref name="directory"/> with its type, mode, mtime, size, owner, content hash and link target.</summary>
    public static SortedDictionary<string, string> Snapshot(string directory)
    {
        var snapshot = new SortedDictionary<string, string>(StringComparer.Ordinal);
        var pending = new Stack<string>([directory]);
        while (pending.TryPop(out var current))
        {
            foreach (var info in new DirectoryInfo(current).EnumerateFileSystemInfos())
            {
                var relative = info.FullName[directory.Length..];
                if (info.LinkTarget is { } target)
                {
                    snapshot[relative] = $"link -> {target}";
                    continue;
                }

                var mode = OperatingSystem.IsWindows() ? "" : Convert.ToString((int)File.GetUnixFileMode(info.FullName), 8);
                var mtime = info.LastWriteTimeUtc.Ticks;
                if (info is DirectoryInfo)
                {
                    snapshot[relative] = $"dir {mode} {mtime}";
                    pending.Push(info.FullName);
                }
                else
                {
                    using var file = File.OpenRead(info.FullName);
                    snapshot[relative] = $"file {mode} {mtime} {((FileInfo)info).Length} {Convert.ToHexStringLower(SHA256.HashData(file))}";
                }
            }
        }

        return snapshot;
    }

    /// <summary>Owner and group of a path as <c>stat</c> prints them.</summary>
    public async Task<string> OwnerAsync(string path) =>
        (await Host.RunCheckedAsync($"stat -c '%U:%G' -- {Sh.Quote(path)}", Ct).WaitAsync(Timeout, Ct)).StdoutText.Trim();

    public ValueTask DisposeAsync()
    {
        root.Dispose();
        return Host.DisposeAsync();
    }
}
