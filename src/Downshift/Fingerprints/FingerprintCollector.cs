using Downshift.Databases;
using Downshift.Fingerprints.Internal;
using Downshift.Hosts;

namespace Downshift.Fingerprints;

/// <summary>
/// Takes a <see cref="HostFingerprint"/> through the host's transport only: one bash script for
/// everything but databases (<see cref="FingerprintScript"/>), and each declared database's own
/// fingerprint (<see cref="IDatabase.FingerprintAsync"/>, a few commands), all at once. A tool or file
/// that is not there is recorded as unavailable with the reason, never as an empty section.
/// </summary>
public sealed class FingerprintCollector(TimeProvider timeProvider)
{
    /// <summary>The bound on the fingerprint script (hashing large declared directories takes a while).</summary>
    public static readonly TimeSpan ScriptTimeout = TimeSpan.FromMinutes(5);

    public async Task<HostFingerprint> CollectAsync(IHostTransport host, FingerprintSpec spec, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(host);
        ArgumentNullException.ThrowIfNull(spec);
        if (spec.Validate() is { Count: > 0 } problems)
        {
            throw DownshiftException.InvalidState($"cannot fingerprint '{host.HostName}': {string.Join("; ", problems.Select(p => $"'{p.Key}': {p.Message}"))}");
        }

        var takenAt = timeProvider.GetUtcNow();
        var started = timeProvider.GetTimestamp();
        var counting = new CommandCounter(host);
        var script = counting.RunAsync(
            new HostCommand(FingerprintScript.For(spec)) { Display = FingerprintScript.Display(spec), Timeout = ScriptTimeout },
            cancellationToken);
        var databases = spec.Databases.Select(d => DatabaseAsync(counting, d, cancellationToken)).ToList();
        await Task.WhenAll([script, .. databases]);
        var result = await script;
        if (!result.Succeeded)
        {
            throw DownshiftException.InvalidState($"the fingerprint script failed on '{host.HostName}' (exit {result.ExitCode}): {result.Output.Trim()}");
        }

        var parts = ScriptParts.Parse(result.Stdout);
        return FingerprintReader.Read(parts, spec, host.HostName, takenAt) with
        {
            Databases = DatabaseSection(await Task.WhenAll(databases)),
            Commands = counting.Count,
            Seconds = timeProvider.GetElapsedTime(started).TotalSeconds,
        };
    }

    private static async Task<(DatabaseTarget Target, DatabaseFingerprint? Fingerprint, string? Problem)> DatabaseAsync(
        IHostTransport host, DatabaseTarget target, CancellationToken cancellationToken)
    {
        try
        {
            return (target, await target.Open(host).FingerprintAsync(cancellationToken), null);
        }
        catch (DownshiftException e) when (!e.IsConnectionLost)
        {
            // The host is the fingerprint's own: without it, the same problem reads the same on every host.
            return (target, null, e.Message.Replace($" on '{host.HostName}'", "", StringComparison.Ordinal));
        }
    }

    private static FingerprintSection<DatabaseEntry> DatabaseSection(IEnumerable<(DatabaseTarget Target, DatabaseFingerprint? Fingerprint, string? Problem)> databases)
    {
        var section = new SectionBuilder<DatabaseEntry>();
        foreach (var (target, fingerprint, problem) in databases)
        {
            var key = FingerprintSpec.Key(target);
            if (fingerprint is null)
            {
                section.Unavailable(key, problem ?? "not read");
                continue;
            }

            section.Collected(key);
            section.Entries[key] = new DatabaseEntry { Schema = fingerprint.SchemaHash };
            foreach (var table in fingerprint.Tables)
            {
                section.Entries[$"{key}/{table.Name}"] = new DatabaseEntry { Rows = table.Rows, Checksum = table.Checksum };
            }
        }

        return section.Build();
    }

    /// <summary>Counts the commands the collection runs, for <see cref="HostFingerprint.Commands"/>.</summary>
    private sealed class CommandCounter(IHostTransport inner) : IHostTransport
    {
        private int count;

        public int Count => count;

        public string HostName => inner.HostName;

        public Task<CommandResult> RunAsync(HostCommand command, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref count);
            return inner.RunAsync(command, cancellationToken);
        }

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
