using System.Text.Json;
using Downshift.IntegrationTests.TestSupport;

namespace Downshift.IntegrationTests.Shop;

/// <summary>
/// C1 for real: shopd under supervisord, the CLI as a process, the state checked on the host
/// itself (symlink, config bytes, the service's own /health), not only through Downshift.
/// </summary>
public sealed class ShopDowngradeTests
{
    [Fact]
    public async Task Run_ShopPlan_DowngradesTo21AndEveryOrderSucceeds()
    {
        // Given shopd 2.3.0, whose middleware fails every 3rd order
        await using var shop = await ShopInstall.StartAsync();
        Assert.Equal("2.3.0", await shop.VersionAsync());

        // When the plan runs
        var result = await shop.RunPlanAsync("plan.yaml");

        // Then it succeeded, 2.1.0 answers, the 2.3-only key is gone, and orders work every time
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal("succeeded", Json(result)["status"]);
        Assert.Equal("2.1.0", await shop.VersionAsync());
        Assert.Equal("releases/2.1.0", shop.CurrentTarget());
        Assert.DoesNotContain("middleware_compat=", await File.ReadAllTextAsync(shop.ConfigPath, TestContext.Current.CancellationToken), StringComparison.Ordinal);
        for (var i = 0; i < 6; i++)
        {
            Assert.Equal(201, await shop.PostOrderAsync());
        }
    }

    [Fact]
    public async Task Run_FailingPlan_RollsBackTo23ByItself()
    {
        // Given shopd 2.3.0 and its config as installed
        await using var shop = await ShopInstall.StartAsync();
        var configBefore = await File.ReadAllBytesAsync(shop.ConfigPath, TestContext.Current.CancellationToken);

        // When the variant whose config migration forgets middleware_compat runs
        var result = await shop.RunPlanAsync("plan-failing.yaml");

        // Then 2.1.0 refused to start, the run rolled back (exit 3) and the host is as before
        Assert.True(result.ExitCode == 3, result.ToString());
        Assert.Equal("rolled-back", Json(result)["status"]);
        Assert.Contains("start-shopd", result.Stderr, StringComparison.Ordinal);
        Assert.Equal("2.3.0", await shop.VersionAsync());
        Assert.Equal("releases/2.3.0", shop.CurrentTarget());
        Assert.Equal(configBefore, await File.ReadAllBytesAsync(shop.ConfigPath, TestContext.Current.CancellationToken));
        Assert.False(Directory.Exists(Path.Combine(shop.Prefix, "releases", "2.1.0")));

        // And the operation log shows each undo
        var run = Json(result)["run"];
        var log = await shop.CliAsync("log", run);
        Assert.Contains("UndoSucceeded", log.Stdout, StringComparison.Ordinal);
        Assert.Contains("RollbackStarted", log.Stdout, StringComparison.Ordinal);

        // And with --json, one object per record: events by name, in sequence, commands with their duration
        var lines = (await shop.CliAsync("log", run, "--json")).Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => System.Text.Json.JsonDocument.Parse(line).RootElement).ToList();
        Assert.Equal(log.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length, lines.Count);
        Assert.All(lines, l => Assert.Equal(run, l.GetProperty("run").GetString()));
        Assert.Equal("RunStarted", lines[0].GetProperty("event").GetString());
        Assert.Contains(lines, l => l.GetProperty("event").GetString() == "UndoSucceeded");
        Assert.Contains(lines, l => l.GetProperty("event").GetString() == "Command" && l.GetProperty("durationMs").GetDouble() >= 0);
        var sequence = lines.Select(l => l.GetProperty("sequence").GetInt64()).ToList();
        Assert.Equal(sequence.Order(), sequence);
    }

    [Fact]
    public async Task Rollback_SucceededRun_RestoresTheOriginalByteForByte()
    {
        // Given a finished downgrade
        await using var shop = await ShopInstall.StartAsync();
        var configBefore = await File.ReadAllBytesAsync(shop.ConfigPath, TestContext.Current.CancellationToken);
        var run = await shop.RunPlanAsync("plan.yaml");
        Assert.True(run.ExitCode == 0, run.ToString());

        // When the operator rolls it back
        var rollback = await shop.CliAsync("rollback", Json(run)["run"]);

        // Then 2.3.0 runs again with exactly its old config
        Assert.True(rollback.ExitCode == 3, rollback.ToString());
        Assert.Equal("2.3.0", await shop.VersionAsync());
        Assert.Equal("releases/2.3.0", shop.CurrentTarget());
        Assert.Equal(configBefore, await File.ReadAllBytesAsync(shop.ConfigPath, TestContext.Current.CancellationToken));
    }

    [Theory]
    [InlineData(9)]
    [InlineData(14)]
    [InlineData(20)]
    public async Task Resume_AfterSigkillMidRun_FinishesTheDowngrade(int killAtRecord)
    {
        // Given a run killed with SIGKILL right after journal record K
        await using var shop = await ShopInstall.StartAsync();
        var killed = await shop.RunPlanAsync("plan.yaml", KillAt(killAtRecord));
        Assert.True(killed.ExitCode == 137, $"expected SIGKILL (137): {killed}");
        var run = await OnlyRunAsync(shop);
        var status = await shop.CliAsync("status", run, "--json");
        Assert.Equal("running", JsonDocument.Parse(status.Stdout).RootElement.GetProperty("status").GetString());

        // When the operator resumes it
        var resumed = await shop.CliAsync("resume", run);

        // Then it finishes: 2.1.0 runs with the migrated config
        Assert.True(resumed.ExitCode == 0, resumed.ToString());
        Assert.Equal("2.1.0", await shop.VersionAsync());
        Assert.Equal("releases/2.1.0", shop.CurrentTarget());
        Assert.DoesNotContain("middleware_compat=", await File.ReadAllTextAsync(shop.ConfigPath, TestContext.Current.CancellationToken), StringComparison.Ordinal);
        Assert.Equal(201, await shop.PostOrderAsync());
    }

    [Theory]
    [InlineData(11)]
    [InlineData(17)]
    public async Task Rollback_AfterSigkillMidRun_RestoresTheOriginal(int killAtRecord)
    {
        // Given a run killed with SIGKILL in the middle
        await using var shop = await ShopInstall.StartAsync();
        var configBefore = await File.ReadAllBytesAsync(shop.ConfigPath, TestContext.Current.CancellationToken);
        var killed = await shop.RunPlanAsync("plan.yaml", KillAt(killAtRecord));
        Assert.True(killed.ExitCode == 137, $"expected SIGKILL (137): {killed}");

        // When the operator rolls it back instead of resuming
        var rollback = await shop.CliAsync("rollback", await OnlyRunAsync(shop));

        // Then the host is back where it started
        Assert.True(rollback.ExitCode == 3, rollback.ToString());
        Assert.Equal("2.3.0", await shop.VersionAsync());
        Assert.Equal("releases/2.3.0", shop.CurrentTarget());
        Assert.Equal(configBefore, await File.ReadAllBytesAsync(shop.ConfigPath, TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task Run_WhileAKilledRunHoldsTheHost_IsRefusedWithHowToClearIt()
    {
        // Given a run killed mid-way: its lease on the host is stale, the host half-changed
        await using var shop = await ShopInstall.StartAsync();
        var killed = await shop.RunPlanAsync("plan.yaml", KillAt(12));
        Assert.Equal(137, killed.ExitCode);
        var run = await OnlyRunAsync(shop);

        // When another run is started on the same host
        var second = await shop.RunPlanAsync("plan.yaml");

        // Then it is refused (exit 5) and told how to finish the first run
        Assert.True(second.ExitCode == 5, second.ToString());
        Assert.Contains($"downshift resume {run}", second.Stderr, StringComparison.Ordinal);
        Assert.Contains($"downshift rollback {run}", second.Stderr, StringComparison.Ordinal);
    }

    private static Dictionary<string, string?> KillAt(int record) => new() { ["DOWNSHIFT_TEST_KILL_AT_RECORD"] = record.ToString(System.Globalization.CultureInfo.InvariantCulture) };

    private static async Task<string> OnlyRunAsync(ShopInstall shop)
    {
        var runs = await shop.CliAsync("runs", "--json");
        Assert.True(runs.ExitCode == 0, runs.ToString());
        var list = JsonDocument.Parse(runs.Stdout).RootElement;
        Assert.Equal(1, list.GetArrayLength());
        return list[0].GetProperty("run").GetString()!;
    }

    private static Dictionary<string, string> Json(ProcessResult result)
    {
        var line = result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Last();
        using var document = JsonDocument.Parse(line);
        return document.RootElement.EnumerateObject()
            .Where(p => p.Value.ValueKind == JsonValueKind.String)
            .ToDictionary(p => p.Name, p => p.Value.GetString()!);
    }
}
