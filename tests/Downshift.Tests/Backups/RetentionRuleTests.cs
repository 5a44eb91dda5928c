using Downshift.Backups;

namespace Downshift.Tests.Backups;

public sealed class RetentionRuleTests
{
    private static BackupManifest Backup(string host, string source) => new()
    {
        Id = $"x-{host}-{source}", Host = host, Source = source, Kind = BackupKind.Full, CreatedAt = DateTimeOffset.UnixEpoch, Duration = TimeSpan.Zero, Encrypted = false, Items = [],
    };

    [Fact]
    public void Covers_StepRule_OnlyThatHostAndSource()
    {
        // Given the rule a backup step applies (keep: 2) for h1 and backup-shop
        var rule = new RetentionRule(2, "h1", "backup-shop");

        // Then it may delete only that step's backups on that host
        Assert.True(rule.Covers(Backup("h1", "backup-shop")));
        Assert.False(rule.Covers(Backup("h2", "backup-shop")));
        Assert.False(rule.Covers(Backup("h1", "manual")));
        Assert.False(rule.Covers(Backup("h1", "backup-shop:before-restore")));
    }

    [Fact]
    public void Covers_StoreWideRule_NeverBeforeRestoreBackups() =>
        Assert.False(new RetentionRule(1).Covers(Backup("h1", "backup-shop:before-restore")));
}
