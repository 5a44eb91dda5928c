using System.Text.Json;
using System.Text.RegularExpressions;
using Downshift.IntegrationTests.TestSupport;

namespace Downshift.IntegrationTests.Fleet;

/// <summary>
/// Case C1 with the data safety of C2 (issue 4), end to end on three lab hosts, each with its own real
/// PostgreSQL holding the shop's orders at schema 2.3: the real CLI backs up (full at staging, verified
/// by a restore to a scratch database; incremental after the stop), migrates the schema down with U2_3,
/// and — on rollback or failure — restores the verified backup. Every result is read on the hosts
/// themselves with psql, not through Downshift.
/// </summary>
public sealed class ShopDataFleetTests(ShopLab lab) : IClassFixture<ShopLab>, IDisposable
{
    private static readonly string[] Fleet = ["h1", "h2", "h3"];
    private static readonly TimeSpan RunLimit = TimeSpan.FromMinutes(5);

    /// <summary>The orders as 2.3.0 wrote them, row for row (id, item, quantity, created_at), whichever name the quantity column has now.</summary>
    private const string OrdersSql =
        "SELECT count(*) || ' ' || md5(coalesce(string_agg(o.id || '|' || o.item || '|' || coalesce(to_jsonb(o)->>'quantity', to_jsonb(o)->>'qty') || '|' || o.created_at, ',' ORDER BY o.id), '')) FROM orders o WHERE o.id <= ";

    private readonly TempDirectory work = new("downshift-data-");

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static string Plan(string file) => Path.Combine(RepoRoot.Shop, "fleet", file);

    public void Dispose() => work.Dispose();

    [Fact]
    public async Task RunThenRollback_DataPlan_OrdersKeptThroughTheDowngradeAndBackRowForRowAfterRollback()
    {
        // Given shopd 2.3.0 on PostgreSQL (schema 2.3, orders and two coupons) on the three hosts
        await lab.SetUpShopOnPostgresAsync(Fleet);
        var before = await DatabaseStateAsync();

        // When the data plan runs: backup (full + incremental, verified), U2_3, package 2.1.0, config, start, checks
        var run = await CliAsync(["run", Plan("plan-data.yaml"), "--json", .. lab.CliHostOptions]);

        // Then every host is on 2.1.0 with schema 2.1 (orders.qty, no coupons), and every order 2.3.0 wrote is there, row for row
        Assert.True(run.ExitCode == 0, run.ToString());
        foreach (var host in Fleet)
        {
            Assert.Equal("2.1.0 hi", await OnHostAsync(host, "dpkg-query -W -f '${Version} ${db:Status-Abbrev}' shopd"));
            Assert.Equal("qty", await PsqlAsync(host, "SELECT column_name FROM information_schema.columns WHERE table_name = 'orders' AND column_name IN ('qty', 'quantity')"));
            Assert.Equal("", await PsqlAsync(host, "SELECT to_regclass('public.coupons')"));
            Assert.Equal(before[host].Orders, await PsqlAsync(host, OrdersSql + before[host].MaxId));
            Assert.Equal("UNDO_SQL 2.3", await PsqlAsync(host, "SELECT type || ' ' || version FROM flyway_schema_history ORDER BY installed_rank DESC LIMIT 1"));
        }

        // And the store holds a verified full backup and a verified incremental for every host
        var backups = JsonDocument.Parse((await CliAsync(["backups", "--json"])).Stdout).RootElement.EnumerateArray().ToList();
        foreach (var host in Fleet)
        {
            var mine = backups.Where(b => b.GetProperty("host").GetString() == host && b.GetProperty("source").GetString() == "backup-shop").ToList();
            Assert.Equal(["full", "incremental"], mine.Select(b => b.GetProperty("kind").GetString()).Order());
            Assert.All(mine, b => Assert.True(b.GetProperty("verification").GetProperty("passed").GetBoolean(), b.ToString()));
        }

        // When the run is rolled back on request
        var rollback = await CliAsync(["rollback", RunId(run), .. lab.CliHostOptions]);

        // Then every host is on 2.3.0 and its database is what it was before the run: schema, coupons and orders, row for row
        Assert.True(rollback.ExitCode == 3, rollback.ToString());
        Assert.Equal(before, await DatabaseStateAsync());
        foreach (var host in Fleet)
        {
            Assert.Equal("2.3.0 ii", await OnHostAsync(host, "dpkg-query -W -f '${Version} ${db:Status-Abbrev}' shopd"));
        }

        // And the orders the checks placed under 2.1.0 were not thrown away: the database as it was before the restore is a verified backup too
        var log = (await CliAsync(["log", RunId(run)])).Stdout;
        Assert.Contains("before the restore", log, StringComparison.Ordinal);

        // And the plan's fingerprint proved both directions on every host: permissions as before after the change, everything as before after the rollback
        Assert.Equal(3, Regex.Count(log, "permissions \\(users, groups, sudoers, SUID files, modes and owners\\): equal to before the change"));
        Assert.Equal(3, Regex.Count(log, "rollback proven: the fingerprint equals the one before the change"));
    }

    [Fact]
    public async Task Run_DataPlanFailingPackage_CanaryDatabaseRestoredFromTheVerifiedBackupOthersUntouched()
    {
        // Given shopd 2.3.0 on PostgreSQL on the three hosts
        await lab.SetUpShopOnPostgresAsync(Fleet);
        var before = await DatabaseStateAsync();

        // When the plan to the broken 2.2.0 runs: on the canary the schema is migrated down, then the package fails
        var run = await CliAsync(["run", Plan("plan-data-failing.yaml"), "--json", .. lab.CliHostOptions]);

        // Then the canary rolled back: its database restored from the verified backup (schema 2.3, coupons, orders row for row)
        Assert.True(run.ExitCode == 3, run.ToString());
        var hosts = JsonDocument.Parse(run.Stdout).RootElement.GetProperty("hosts").EnumerateArray().Select(h => h.GetProperty("state").GetString());
        Assert.Equal(["rolled-back", "untouched", "untouched"], hosts);
        Assert.Equal(before, await DatabaseStateAsync());
        Assert.Equal("2.3.0 ii", await OnHostAsync("h1", "dpkg-query -W -f '${Version} ${db:Status-Abbrev}' shopd"));
        Assert.Contains("\"2.3.0\"", await OnHostAsync("h1", "curl -fsS http://127.0.0.1:8080/health"), StringComparison.Ordinal);
        var log = (await CliAsync(["log", RunId(run)])).Stdout;
        Assert.Contains("restored from", log, StringComparison.Ordinal);
        Assert.Equal(1, Regex.Count(log, "rollback proven: the fingerprint equals the one before the change"));
    }

    [Fact]
    public async Task Run_MonitorFailingVariant_TriggerTripsInTheCanarysBakeAndItRollsBack()
    {
        // Given shopd 2.3.0 on PostgreSQL on the three hosts, and the plan that forgets the migration (orders fail on 2.1.0, /health passes)
        await lab.SetUpShopOnPostgresAsync(Fleet);
        var before = await DatabaseStateAsync();

        // When it runs
        var run = await CliAsync(["run", Plan("plan-monitor-failing.yaml"), "--json", .. lab.CliHostOptions]);

        // Then the health check passed, but the orders rule tripped during the canary's bake: h1 rolled back, h2 and h3 untouched
        Assert.True(run.ExitCode == 3, run.ToString());
        var result = JsonDocument.Parse(run.Stdout).RootElement;
        Assert.Contains("trigger 'http.orders.error_rate > 50% for 2s' tripped: h1 http.orders.error_rate 1 > 0.50", result.GetProperty("summary").GetString(), StringComparison.Ordinal);
        Assert.Equal(["rolled-back", "untouched", "untouched"], result.GetProperty("hosts").EnumerateArray().Select(h => h.GetProperty("state").GetString()));
        Assert.Equal("2.3.0 ii", await OnHostAsync("h1", "dpkg-query -W -f '${Version} ${db:Status-Abbrev}' shopd"));
        Assert.Contains("\"2.3.0\"", await OnHostAsync("h1", "curl -fsS http://127.0.0.1:8080/health"), StringComparison.Ordinal);

        // And h1's database kept its schema, coupons and every earlier order (the probe's own POSTs added orders: the plan changes no data)
        var after = await DatabaseStateAsync();
        Assert.Equal(before["h1"] with { MaxId = "", Orders = "" }, after["h1"] with { MaxId = "", Orders = "" });
        Assert.Equal(before["h1"].Orders, await PsqlAsync("h1", OrdersSql + before["h1"].MaxId));
        Assert.Equal(before["h2"], after["h2"]);

        // And the report shows the baseline, the rule, the values that tripped it and the baseline value
        var report = (await CliAsync(["report", RunId(run)])).Stdout;
        Assert.Contains("## Monitoring", report, StringComparison.Ordinal);
        Assert.Contains("baseline over 3s: ", report, StringComparison.Ordinal);
        Assert.Contains("### Trigger on h1", report, StringComparison.Ordinal);
        Assert.Contains("baseline p95", report, StringComparison.Ordinal);
    }

    /// <summary>Per host: the schema (quantity column name, coupons), the highest order id and the orders' row digest.</summary>
    private async Task<Dictionary<string, HostDatabase>> DatabaseStateAsync()
    {
        var state = new Dictionary<string, HostDatabase>();
        foreach (var host in Fleet)
        {
            var maxId = await PsqlAsync(host, "SELECT coalesce(max(id), 0) FROM orders");
            state[host] = new HostDatabase(
                await PsqlAsync(host, "SELECT string_agg(column_name, ',' ORDER BY column_name) FROM information_schema.columns WHERE table_name = 'orders'"),
                await PsqlAsync(host, "SELECT coalesce(string_agg(code || ':' || percent, ',' ORDER BY code), 'none') FROM coupons"),
                maxId,
                await PsqlAsync(host, OrdersSql + maxId));
        }

        return state;
    }

    private sealed record HostDatabase(string OrderColumns, string Coupons, string MaxId, string Orders);

    private Task<ProcessResult> CliAsync(string[] args) => CliRunner.RunAsync(args, Environment(), timeout: RunLimit, cancellationToken: Ct);

    private static string RunId(ProcessResult run) => JsonDocument.Parse(run.Stdout).RootElement.GetProperty("run").GetString()!;

    private Dictionary<string, string?> Environment() => new()
    {
        ["DOWNSHIFT_JOURNAL"] = work.Combine("journal.db"),
        ["DOWNSHIFT_BACKUP_STORE"] = work.Combine("backups"),
    };

    private Task<string> PsqlAsync(string host, string sql) =>
        OnHostAsync(host, $"cd / && runuser -u postgres -- psql -XAtq -d shop -c {Downshift.Hosts.Sh.Quote(sql)}");

    private async Task<string> OnHostAsync(string host, string script) => (await lab.ExecAsync(host, script, Ct)).Trim();
}
