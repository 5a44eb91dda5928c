using System.Globalization;

namespace Downshift.Plans.Internal;

/// <summary>Reads the plan's <c>strategy:</c> mapping (canary, bake, batch, concurrency, max-failed, rollback).</summary>
internal static class StrategyReader
{
    public static RolloutStrategy Read(YamlMap root, int hostCount)
    {
        var map = root.Map("strategy");
        if (map is null)
        {
            return RolloutStrategy.Default;
        }

        map.ReportUnknownKeys(PlanKeys.Strategy, "'strategy'");
        var strategy = RolloutStrategy.Default;
        var canary = Count(map, "canary", allowZero: true);
        var batch = Count(map, "batch", allowZero: false);
        var maxFailed = Count(map, "max-failed", allowZero: true);
        var concurrency = map.Integer("concurrency", min: 1, max: 1000);
        var bake = map.Duration("bake");
        var rollback = map.OneOf("rollback", PlanKeys.FleetRollbacks);

        strategy = strategy with
        {
            Canary = canary ?? strategy.Canary,
            Batch = batch ?? strategy.Batch,
            MaxFailed = maxFailed ?? strategy.MaxFailed,
            Concurrency = concurrency ?? strategy.Concurrency,
            Bake = bake ?? strategy.Bake,
            Rollback = rollback == "failed-hosts" ? FleetRollback.FailedHosts : strategy.Rollback,
        };

        if (bake is not null && strategy.Canary.Value == 0)
        {
            map.Error("bake", "'bake' waits after the canary: set 'canary' too");
        }

        if (canary is { IsPercent: false } c && c.Value >= hostCount && hostCount > 1)
        {
            map.Error("canary", $"a canary of {c.Value} host(s) is the whole fleet of {hostCount}: nothing would be left to protect");
        }

        return strategy;
    }

    /// <summary>A count (<c>2</c>) or a share (<c>25%</c>); errors are recorded on the key.</summary>
    private static HostCount? Count(YamlMap map, string key, bool allowZero)
    {
        var text = map.String(key);
        if (text is null)
        {
            return null;
        }

        var percent = text.EndsWith('%');
        var number = percent ? text[..^1].Trim() : text;
        var min = allowZero ? 0 : 1;
        if (!int.TryParse(number, NumberStyles.None, CultureInfo.InvariantCulture, out var value)
            || value < min || (percent && value > 100))
        {
            map.Error(key, $"'{key}' must be a number of hosts ({min} or more) or a share such as 25%, not '{text}'");
            return null;
        }

        return percent ? HostCount.Percent(value) : HostCount.Hosts(value);
    }
}
