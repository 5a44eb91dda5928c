using System.Text.RegularExpressions;

namespace Downshift.Hosts;

/// <summary>
/// <c>{{ host.name }}</c>, <c>{{ host.address }}</c>, <c>{{ host.port }}</c>, <c>{{ host.user }}</c> and
/// <c>{{ host.vars.NAME }}</c> (an inventory variable) in step options: the plan is the same for every
/// host, these differ, so they are resolved when the step runs on a host. An http-check that runs on
/// the controller names the host it checks with <c>http://{{ host.address }}:8080/health</c>.
/// </summary>
public static partial class HostPlaceholders
{
    private const string Prefix = "host.";

    public static bool IsHostReference(string name) => name.StartsWith(Prefix, StringComparison.Ordinal);

    /// <summary>The text with every <c>{{ host.… }}</c> replaced; an unknown one is an error naming the host.</summary>
    public static string Expand(string text, HostEntry host)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(host);
        return Reference().Replace(text, match =>
        {
            var name = match.Groups[1].Value;
            return name switch
            {
                "name" => host.Name,
                "address" => host.IsLocal ? "127.0.0.1" : host.Address,
                "port" => host.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
                "user" => host.User ?? "",
                _ when name.StartsWith("vars.", StringComparison.Ordinal) && host.Vars.TryGetValue(name[5..], out var value) => value,
                _ when name.StartsWith("vars.", StringComparison.Ordinal) && HostEntryJson.IsSecretName(name[5..]) => throw DownshiftException.InvalidState(
                    $"'{{{{ host.{name} }}}}' has no value on host '{host.Name}': not in its inventory, or (resume, rollback) not stored with the run, " +
                    "because variables named like a secret are never journaled"),
                _ => throw DownshiftException.InvalidState(
                    $"'{{{{ host.{name} }}}}' has no value on host '{host.Name}' (known: host.name, host.address, host.port, host.user, host.vars.NAME)"),
            };
        });
    }

    /// <summary>
    /// The text as it would read on a made-up host (<c>h</c> at <c>host.invalid</c>, port 22, user and every
    /// <c>host.vars.NAME</c> <c>x</c>), to check a URL's shape when the plan is loaded, before any host is known.
    /// An unknown <c>{{ host.… }}</c> is left as it is.
    /// </summary>
    public static string Sample(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return Reference().Replace(text, match => match.Groups[1].Value switch
        {
            "name" => "h",
            "address" => "host.invalid",
            "port" => HostEntry.DefaultSshPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "user" => "x",
            var name when name.StartsWith("vars.", StringComparison.Ordinal) => "x",
            _ => match.Value,
        });
    }

    [GeneratedRegex(@"\{\{\s*host\.([A-Za-z0-9_.-]+)\s*\}\}")]
    private static partial Regex Reference();
}
