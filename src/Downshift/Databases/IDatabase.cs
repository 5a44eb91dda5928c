namespace Downshift.Databases;

/// <summary>
/// One database on a host, reached only through the host's transport (psql / pg_dump / pg_restore
/// for PostgreSQL, python3's sqlite3 module for SQLite run on the host). Dumps stream; nothing
/// large is held in memory.
/// </summary>
public interface IDatabase
{
    /// <summary><c>postgresql</c> or <c>sqlite</c>.</summary>
    string Engine { get; }

    /// <summary>One line for the journal: <c>postgresql database 'shop'</c>, <c>sqlite /var/lib/shop/orders.db</c>.</summary>
    string Describe();

    /// <summary>A consistent dump (pg_dump -Fc; SQLite's online backup), streamed into <paramref name="destination"/>.</summary>
    Task DumpAsync(Stream destination, CancellationToken cancellationToken);

    /// <summary>
    /// The schema's hash and each user table's row count and row checksum, read in one snapshot on the
    /// host (a few commands, not one per table).
    /// </summary>
    Task<DatabaseFingerprint> FingerprintAsync(CancellationToken cancellationToken);

    /// <summary>Restores <paramref name="dump"/> into a new scratch database beside this one (P6); dispose it to drop it.</summary>
    Task<IScratchDatabase> RestoreToScratchAsync(Stream dump, string label, CancellationToken cancellationToken);

    /// <summary>Replaces this database's whole content with <paramref name="dump"/> (a rollback's restore).</summary>
    Task RestoreAsync(Stream dump, CancellationToken cancellationToken);

    /// <summary>
    /// Runs one query and returns its rows, each column as text (SQL NULL as null). Values keep tabs,
    /// newlines and any Unicode. A query the database refuses throws <see cref="DownshiftException"/>.
    /// </summary>
    Task<IReadOnlyList<IReadOnlyList<string?>>> QueryAsync(string sql, CancellationToken cancellationToken);

    /// <summary>
    /// Runs a script of statements. With <paramref name="inTransaction"/> the whole script is applied
    /// or nothing is (the script must not begin or commit transactions itself); without, it stops at
    /// the first failing statement and what ran before stays. A failing statement is a value
    /// (<see cref="DatabaseCommandResult.Succeeded"/> false, the database's message with the line);
    /// a database or host that cannot be used throws <see cref="DownshiftException"/>.
    /// </summary>
    Task<DatabaseCommandResult> ExecuteAsync(string sql, bool inTransaction, CancellationToken cancellationToken);
}

/// <summary>What <see cref="IDatabase.ExecuteAsync"/> did.</summary>
/// <param name="Succeeded">True when every statement ran (and, in a transaction, was committed).</param>
/// <param name="Error">The failing statement's message from the database, with its line in the script (<c>line 3: ERROR: ...</c>).</param>
/// <param name="Duration">How long the script ran on the host.</param>
public sealed record DatabaseCommandResult(bool Succeeded, string? Error, TimeSpan Duration);

/// <summary>A restored copy used for verification; <see cref="IAsyncDisposable.DisposeAsync"/> drops it.</summary>
public interface IScratchDatabase : IAsyncDisposable
{
    /// <summary>One line: the scratch copy's engine and name.</summary>
    string Describe();

    /// <summary>The copy's fingerprint, to compare with its source's (<see cref="DatabaseFingerprint.DifferencesFrom"/>).</summary>
    Task<DatabaseFingerprint> FingerprintAsync(CancellationToken cancellationToken);
}
