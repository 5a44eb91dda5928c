using System.Text.Json;
using Downshift.Databases.Internal;
using Downshift.Hosts;

namespace Downshift.Databases;

/// <summary>
/// An SQLite database file on a host, read and written with python3's <c>sqlite3</c> module there
/// (no sqlite3 tool needed). A dump is the database file itself, made with SQLite's online backup,
/// so it is consistent while the application keeps writing.
/// </summary>
public sealed class SqliteDatabase : IDatabase
{
    /// <summary>Removes the file and its journal files (WAL, shared memory, rollback journal); <c>$f</c> is the file.</summary>
    private const string RemoveFile = "rm -f -- \"$f\" \"$f-wal\" \"$f-shm\" \"$f-journal\"";

    private readonly DatabaseTarget target;
    private readonly IHostTransport host;
    private readonly SqliteClient client;

    /// <summary>The file <paramref name="target"/> names (it must be a valid SQLite target), on <paramref name="host"/>.</summary>
    public SqliteDatabase(DatabaseTarget target, IHostTransport host)
    {
        ArgumentNullException.ThrowIfNull(target);
        target.EnsureUsableAs(DatabaseTarget.Sqlite);
        this.target = target;
        this.host = host;
        client = new SqliteClient(target, host);
    }

    /// <inheritdoc/>
    public string Engine => DatabaseTarget.Sqlite;

    /// <inheritdoc/>
    public string Describe() => target.Describe();

    /// <summary>The online backup goes to a temporary file on the host (in <c>$TMPDIR</c> or /var/tmp), is streamed out, and is removed.</summary>
    public async Task DumpAsync(Stream destination, CancellationToken cancellationToken) =>
        await client.RunCheckedAsync(
            "dump",
            new HostCommand(
                "set -e\nf=$(mktemp \"${TMPDIR:-/var/tmp}/downshift-sqlite-dump.XXXXXX\")\n" +
                $"trap '{RemoveFile}' EXIT\npy backup {client.QuotedPath} \"$f\"\ncat -- \"$f\"")
            {
                StdoutTo = destination,
                Timeout = DatabaseLimits.Transfer,
            },
            cancellationToken);

    /// <inheritdoc/>
    public async Task<DatabaseFingerprint> FingerprintAsync(CancellationToken cancellationToken)
    {
        var result = await client.RunCheckedAsync("fingerprint", SqliteClient.Program("fingerprint", target.Path!), cancellationToken);
        return FingerprintLines.Parse(result.StdoutText)
            ?? throw DownshiftException.DatabaseFailed(Describe(), host.HostName, "fingerprint",
                $"unexpected output: {ErrorText.OneLine(result.StdoutText)}");
    }

    /// <summary>
    /// Writes the dump to <c>$TMPDIR</c> (or /var/tmp) on the host as <c>dsverify_LABEL_RANDOM.db</c>;
    /// <c>PRAGMA integrity_check</c> must say ok, else the file is removed and a clear error thrown.
    /// Disposing the result deletes the file.
    /// </summary>
    public async Task<IScratchDatabase> RestoreToScratchAsync(Stream dump, string label, CancellationToken cancellationToken)
    {
        var result = await client.RunCheckedAsync(
            "restore into scratch copy",
            new HostCommand(
                $"set -eC\nf=\"${{TMPDIR:-/var/tmp}}/{ScratchNames.New(label)}.db\"\ntrap '{RemoveFile}' EXIT\n" +
                "cat > \"$f\"\npy integrity \"$f\"\ntrap - EXIT\nprintf '%s' \"$f\"")
            {
                StdinFrom = dump,
                Timeout = DatabaseLimits.Transfer,
            },
            cancellationToken);
        var path = result.StdoutText;
        var copy = new SqliteDatabase(target with { Path = path }, host);
        return new ScratchDatabase(copy, token => client.RunCheckedAsync(
            "drop scratch copy",
            new HostCommand($"f={Sh.Quote(path)}\n{RemoveFile}") { Timeout = DatabaseLimits.Housekeeping },
            token));
    }

    /// <summary>
    /// Writes the dump beside the file (<c>PATH.downshift-restore</c>), checks it with
    /// <c>PRAGMA integrity_check</c>, gives it the original's owner and mode, removes the original's
    /// stale <c>-wal</c>, <c>-shm</c> and <c>-journal</c>, and renames it over the original (atomic).
    /// A dump that fails the check leaves the original untouched. The application must not have the
    /// file open (stop it first).
    /// </summary>
    public async Task RestoreAsync(Stream dump, CancellationToken cancellationToken) =>
        await client.RunCheckedAsync(
            "restore",
            new HostCommand(
                $"set -e\np={client.QuotedPath}\nf=\"$p.downshift-restore\"\n{RemoveFile}\ntrap '{RemoveFile}' EXIT\n" +
                "cat > \"$f\"\npy integrity \"$f\"\n" +
                "if [ -e \"$p\" ]; then chown --reference=\"$p\" -- \"$f\"; chmod --reference=\"$p\" -- \"$f\"; fi\n" +
                "sync -- \"$f\" 2>/dev/null || true\nrm -f -- \"$p-wal\" \"$p-shm\" \"$p-journal\"\nmv -f -- \"$f\" \"$p\"\n" +
                "sync -- \"$(dirname -- \"$p\")\" 2>/dev/null || true")
            {
                StdinFrom = dump,
                Timeout = DatabaseLimits.Transfer,
            },
            cancellationToken);

    /// <summary>One statement; its rows as text (integers and reals as Python prints them, blobs as hex).</summary>
    public async Task<IReadOnlyList<IReadOnlyList<string?>>> QueryAsync(string sql, CancellationToken cancellationToken)
    {
        var result = await client.RunCheckedAsync("query", SqliteClient.Program("query", target.Path!, stdin: sql), cancellationToken);
        try
        {
            return JsonSerializer.Deserialize<List<List<string?>>>(result.Stdout) ?? [];
        }
        catch (JsonException e)
        {
            throw DownshiftException.DatabaseFailed(Describe(), host.HostName, "query", $"unexpected output: {e.Message}");
        }
    }

    /// <summary>The statements one by one, in a transaction inside <c>BEGIN IMMEDIATE</c> … <c>COMMIT</c> (see <see cref="SqliteProgram"/>).</summary>
    public async Task<DatabaseCommandResult> ExecuteAsync(string sql, bool inTransaction, CancellationToken cancellationToken)
    {
        var result = await client.RunAsync(
            inTransaction ? "execute (one transaction)" : "execute",
            SqliteClient.Program("execute", target.Path!, inTransaction ? "1" : "0", sql),
            cancellationToken);
        return result switch
        {
            { Succeeded: true } => new DatabaseCommandResult(true, null, result.Duration),
            { ExitCode: SqliteProgram.StatementFailed } => new DatabaseCommandResult(false, result.Stderr.Trim(), result.Duration),
            _ => throw client.Error("execute", result),
        };
    }
}
