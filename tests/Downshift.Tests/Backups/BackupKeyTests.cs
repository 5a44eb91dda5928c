using System.Security.Cryptography;
using System.Text;
using Downshift.Backups;

namespace Downshift.Tests.Backups;

public sealed class BackupKeyTests : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);
    private readonly TempDirectory directory = new();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => directory.Dispose();

    [Fact]
    public async Task LoadAsync_RawHexAndBase64OfOneKey_GiveTheSameKey()
    {
        // Given the same 32 bytes raw, as hex with a newline, and as base64 with spaces around
        var bytes = RandomNumberGenerator.GetBytes(32);
        var raw = await WriteAsync("raw", bytes);
        var hex = await WriteAsync("hex", Encoding.ASCII.GetBytes(Convert.ToHexString(bytes) + "\n"));
        var base64 = await WriteAsync("b64", Encoding.ASCII.GetBytes("  " + Convert.ToBase64String(bytes) + " \n"));

        // When each is loaded
        var keys = new[]
        {
            await BackupKey.LoadAsync(raw, Ct).WaitAsync(Timeout, Ct),
            await BackupKey.LoadAsync(hex, Ct).WaitAsync(Timeout, Ct),
            await BackupKey.LoadAsync(base64, Ct).WaitAsync(Timeout, Ct),
        };

        // Then all three are the same key
        Assert.All(keys, k => Assert.Equal(Convert.ToHexStringLower(bytes), k.ToHex()));
        Assert.Single(keys.Select(k => k.Id).Distinct());
    }

    [Theory]
    [InlineData("too short")]
    [InlineData("0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdeZ")]
    [InlineData("AAAA")]
    public async Task LoadAsync_NotAKey_ClearErrorNamingTheFile(string content)
    {
        // Given a file that holds no 32-byte key
        var path = await WriteAsync("bad", Encoding.ASCII.GetBytes(content));

        // When it is loaded
        var error = await Assert.ThrowsAsync<DownshiftException>(() => BackupKey.LoadAsync(path, Ct).WaitAsync(Timeout, Ct));

        // Then the error names the file and the forms it accepts
        Assert.Contains(path, error.Message, StringComparison.Ordinal);
        Assert.Contains("32 bytes: raw, as 64 hex digits or as base64", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task LoadAsync_MissingFile_ClearError()
    {
        // Given a path with no file
        var path = directory.Combine("none");

        // When it is loaded, then the error says it cannot be read
        var error = await Assert.ThrowsAsync<DownshiftException>(() => BackupKey.LoadAsync(path, Ct).WaitAsync(Timeout, Ct));
        Assert.Contains($"backup key '{path}' cannot be read", error.Message, StringComparison.Ordinal);
    }

    private async Task<string> WriteAsync(string name, byte[] content)
    {
        var path = directory.Combine(name);
        await File.WriteAllBytesAsync(path, content, Ct);
        return path;
    }
}
