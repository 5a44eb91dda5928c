using Downshift.Databases.Internal;
using Downshift.Hosts;

namespace Downshift.Databases;

/// <summary>
/// A PostgreSQL database reached through psql, pg_dump and pg_restore on its host (see
/// <see cref="DatabaseTarget"/> for the connection). Dumps are <c>pg_dump -Fc</c>, streamed both ways.
/// </summary>
/// <remarks>
/// <see cref="RestoreAsync"/> replaces the content inside one transaction: the user schemas are
/// dropped and the dump's SQL (<c>pg_restore -1 -f -</c>) is applied, and COMMIT is sent only when
/// pg_restore read the whole dump. If anything fails, the transaction rolls back and the database is
/// exactly as it was. This was chosen over restoring into a new database and renaming it in: that
/// swap leaves a moment without the database, and loses what belongs to the database object itself
/// (its owner, grants, <c>ALTER DATABASE ... SET</c> settings), which a rollback must keep. Unlike
/// <c>pg_restore --clean</c>, objects created after the dump (a newer migration's table) are removed
/// too. The cost: the restore holds its locks until it commits (the service is stopped during a
/// rollback anyway) and cannot run in parallel.
/// </remarks>
public sealed class PostgresDatabase : IDatabase
{
    private readonly DatabaseTarget target;
    private readonly IHostTransport host;
    private readonly PostgresClient client;

    /// <summary>The database <paramref name="target"/> names (it must be a valid PostgreSQL target), reached through <paramref name="host"/>.</summary>
    public PostgresDatabase(DatabaseTarget target, IHostTransport host)
    {
        ArgumentNullException.ThrowIfNull(target);
        target.EnsureUsableAs(DatabaseTarget.PostgreSql);
        this.target = target;
        this.host = host;
        client = new PostgresClient(target, host);
    }

    /// <inheritdoc/>
    public string Engine => DatabaseTarget.PostgreSql;

    /// <inheritdoc/>
    public string Describe() => target.Describe();

    /// <inheritdoc/>
    public async Task DumpAsync(Stream destination, CancellationToken cancellationToken) =>
        await client.RunCheckedAsync(
            "dump",
            new HostCommand(client.Tool("pg_dump -w -Fc")) { StdoutTo = destination, Timeout = DatabaseLimits.Transfer },
            cancellationToken);

    /// <inheritdoc/>
    public async Task<DatabaseFingerprint> FingerprintAsync(CancellationToken cancellationToken)
    {
        var result = await client.RunCheckedAsync("fingerprint", client.PsqlCommand(PostgresSql.Fingerprint, "-A -t"), cancellationToken);
        return FingerprintLines.Parse(result.StdoutText)
            ?? throw DownshiftException.DatabaseFailed(Describe(), host.HostName, "fingerprint",
                $"unexpected output: {ErrorText.OneLine(result.StdoutText)}");
    }

    /// <summary>
    /// Creates <c>dsverify_LABEL_RANDOM</c> on the same server (template0, this database's encoding
    /// and locale; needs CREATEDB) and restores the dump into it with <c>pg_restore --no-owner
    /// --exit-on-error</c>; a failed restore drops it again. Disposing the result drops it
    /// (<c>DROP DATABASE ... WITH (FORCE)</c>).
    /// </summary>
    public async Task<IScratchDatabase> RestoreToScratchAsync(Stream dump, string label, CancellationToken cancellationToken)
    {
        var name = ScratchNames.New(label);
        await client.RunCheckedAsync(
            "create scratch copy",
            client.PsqlCommand(PostgresSql.CreateLike(name)) with { Timeout = DatabaseLimits.Housekeeping },
            cancellationToken);
        try
        {
            await client.For(name).RunCheckedAsync(
                "restore into scratch copy",
                new HostCommand(client.Tool("pg_restore -w --no-owner --exit-on-error -d \"$PGDATABASE\""))
                {
                    StdinFrom = dump,
                    Timeout = DatabaseLimits.Transfer,
                },
                cancellationToken);
        }
        catch
        {
            try
            {
                await DropAsync(name, CancellationToken.None);
            }
            catch (DownshiftException)
            {
                // The restore's error is the one to report; a leftover copy is found by its dsverify_ prefix.
            }

            throw;
        }

        return new ScratchDatabase(new PostgresDatabase(target with { Name = name }, host), token => DropAsync(name, token));
    }

    /// <summary>
    /// Replaces the whole content in one transaction (see the remarks): other sessions on the database
    /// are ended first where this role may. Needs the rights to drop and create every user schema.
    /// </summary>
    public async Task RestoreAsync(Stream dump, CancellationToken cancellationToken)
    {
        string Restore(string prologue) =>
            $"set -o pipefail\n{{ printf '%s' {prologue}; {client.Tool("pg_restore -w -1 -f -")}; }} | {client.Tool(PostgresClient.Psql + " -f -")}";
        await client.RunCheckedAsync(
            "restore",
            new HostCommand(Restore(Sh.Quote(PostgresSql.RestorePrologue)))
            {
                StdinFrom = dump,
                Timeout = DatabaseLimits.Transfer,
                Display = Restore("'<BEGIN; end other sessions; drop every user schema; CREATE SCHEMA public>'"),
            },
            cancellationToken);
    }

    /// <summary>Runs the query as <c>COPY (...) TO STDOUT</c>: one SELECT (or VALUES, or a statement with RETURNING), values exactly as PostgreSQL prints them.</summary>
    public async Task<IReadOnlyList<IReadOnlyList<string?>>> QueryAsync(string sql, CancellationToken cancellationToken)
    {
        var result = await client.RunCheckedAsync("query", client.PsqlCommand(PostgresSql.Copy(sql)), cancellationToken);
        return CopyText.Parse(result.StdoutText);
    }

    /// <summary>psql reads the script on stdin; in a transaction with <c>--single-transaction</c>, and it stops at the first error either way.</summary>
    public async Task<DatabaseCommandResult> ExecuteAsync(string sql, bool inTransaction, CancellationToken cancellationToken)
    {
        var result = await client.RunAsync(
            inTransaction ? "execute (one transaction)" : "execute",
            client.PsqlCommand(sql, inTransaction ? "--single-transaction" : ""),
            cancellationToken);
        return result switch
        {
            { Succeeded: true } => new DatabaseCommandResult(true, null, result.Duration),
            { ExitCode: 3 } => new DatabaseCommandResult(false, PostgresErrors.StatementError(result.Stderr) ?? ErrorText.OneLine(result.Stderr), result.Duration),
            _ => throw PostgresErrors.From(Describe(), host.HostName, "execute", result),
        };
    }

    private async Task DropAsync(string scratch, CancellationToken cancellationToken) =>
        await client.RunCheckedAsync(
            "drop scratch copy",
            client.PsqlCommand(PostgresSql.Drop(scratch)) with { Timeout = DatabaseLimits.Housekeeping },
            cancellationToken);
}
