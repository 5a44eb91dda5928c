namespace Downshift.Backups.Internal;

/// <summary>
/// Read-only: passes reads through, knows how far it has read, and keeps a copy of the bytes read from
/// an offset on (the raw header blocks of a tar entry, to pass them on unchanged).
/// </summary>
internal sealed class RecordingStream(Stream inner) : ReadOnlyStream
{
    private readonly MemoryStream recorded = new();
    private long from = long.MaxValue;

    /// <summary>Bytes read so far.</summary>
    public long Offset { get; private set; }

    /// <summary>Forgets what was recorded and records the bytes at <paramref name="offset"/> and after.</summary>
    public void RecordFrom(long offset)
    {
        recorded.SetLength(0);
        from = offset;
    }

    /// <summary>Stops recording; returns what was recorded.</summary>
    public ReadOnlyMemory<byte> Stop()
    {
        from = long.MaxValue;
        return recorded.GetBuffer().AsMemory(0, (int)recorded.Length);
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var read = await inner.ReadAsync(buffer, cancellationToken);
        var skip = (int)Math.Clamp(from - Offset, 0, read);
        if (skip < read)
        {
            recorded.Write(buffer.Span[skip..read]);
        }

        Offset += read;
        return read;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            recorded.Dispose();
        }

        base.Dispose(disposing);
    }
}
