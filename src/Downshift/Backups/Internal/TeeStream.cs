namespace Downshift.Backups.Internal;

/// <summary>Read-only: what is read from <paramref name="source"/> is also written to <paramref name="copy"/>.</summary>
internal sealed class TeeStream(Stream source, Stream copy) : ReadOnlyStream
{
    public override int Read(byte[] buffer, int offset, int count)
    {
        var read = source.Read(buffer, offset, count);
        copy.Write(buffer, offset, read);
        return read;
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var read = await source.ReadAsync(buffer, cancellationToken);
        await copy.WriteAsync(buffer[..read], cancellationToken);
        return read;
    }
}
