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

    Task<DatabaseFingerprint> FingerprintAsync(CancellationToken cancellationToken);

    /// <summary>Restores <paramref name="dump"/> into a new scratch database beside this one (P6); dispose it to drop it.</summary>
    Task<IScratchDatabase> RestoreToScratchAsync(Stream dump, string label, CancellationToken cancellationToken);

    /// <summary>Replaces this database's whole content with <paramref name="dump"/> (a rollback's restore).</summary>
    Task RestoreAsync(Stream dump, CancellationToken cancellationToken);
}

/// <summary>A restored copy used for verification; <see cref="IAsyncDisposable.DisposeAsync"/> drops it.</summary>
public interface IScratchDatabase : IAsyncDisposable
{
    string Describe();

    Task<DatabaseFingerprint> FingerprintAsync(CancellationToken cancellationToken);
}
