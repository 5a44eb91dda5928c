using Downshift.Hosts;
namespace Downshift.Steps.HttpCheck;

/// <summary>
/// <c>http-check</c>: one HTTP request, repeated until the answer is as expected or the time is up
/// (status, body text, JSON values, latency bound). It changes nothing, so it has no undo (V1).
/// </summary>
public sealed class HttpCheckStepKind : IStepKind
{
    public string Name => "http-check";

    public string Summary => "Send an HTTP request until the answer has the expected status, body, JSON values and latency.";

    public UndoSupport Undo => UndoSupport.NotNeeded;

    public IReadOnlyList<OptionField> Fields { get; } =
    [
        new("url", OptionType.String, "The URL to request (http or https).", Required: true),
        new("method", OptionType.String, "HTTP method (default GET).", Allowed: HttpCheckDefaults.Methods),
        new("body", OptionType.String, "Request body; sent as application/json when it starts with { or [."),
        new("headers", OptionType.StringMap, "Request headers."),
        new("expect-status", OptionType.Integer, "Expected status code (default 200)."),
        new("expect-body", OptionType.String, "Text the response body must contain."),
        new("expect-json", OptionType.StringMap, "JSON path ($.a.b[0]) → expected value."),
        new("max-latency", OptionType.Duration, "The request must answer faster than this."),
        new("until-healthy", OptionType.Duration, "Keep trying this long before failing (default 30s)."),
        new("interval", OptionType.Duration, "Pause between tries (default 1s)."),
        new("request-timeout", OptionType.Duration, "Timeout of one request (default 5s)."),
    ];

    public StepOptions? Bind(IStepOptionsReader reader)
    {
        var url = reader.String("url", required: true);
        if (url is not null && !IsHttpUrl(url))
        {
            reader.Error("url", $"'{url}' is not an http:// or https:// URL");
            url = null;
        }

        var method = reader.OneOf("method", HttpCheckDefaults.Methods) ?? "GET";
        var status = reader.Integer("expect-status", min: 100, max: 599) ?? HttpCheckDefaults.ExpectStatus;
        var json = reader.StringMap("expect-json") ?? new Dictionary<string, ScalarValue>();
        foreach (var path in json.Keys.Where(p => !Internal.JsonPath.IsValid(p)))
        {
            reader.Error("expect-json", $"'{path}' is not a JSON path such as $.version or $.items[0].id");
        }

        var options = new HttpCheckOptions
        {
            Url = url ?? "http://invalid",
            Method = method,
            Body = reader.String("body"),
            Headers = (reader.StringMap("headers") ?? new Dictionary<string, ScalarValue>()).ToDictionary(kv => kv.Key, kv => kv.Value.Text),
            ExpectStatus = status,
            ExpectBody = reader.String("expect-body"),
            ExpectJson = json.ToDictionary(kv => kv.Key, kv => kv.Value.Text),
            MaxLatency = reader.Duration("max-latency"),
            UntilHealthy = reader.Duration("until-healthy") ?? HttpCheckDefaults.UntilHealthy,
            Interval = reader.Duration("interval") ?? HttpCheckDefaults.Interval,
            RequestTimeout = reader.Duration("request-timeout") ?? HttpCheckDefaults.RequestTimeout,
        };
        return url is null || json.Keys.Any(p => !Internal.JsonPath.IsValid(p)) ? null : options;
    }

    public IStepExecutor CreateExecutor(StepOptions options) => new HttpCheckExecutor((HttpCheckOptions)options);

    /// <summary>An http(s) URL once <c>{{ host.… }}</c> is filled in (checked with this machine's values).</summary>
    private static bool IsHttpUrl(string url)
    {
        string sample;
        try
        {
            sample = HostPlaceholders.Expand(url, HostEntry.Local);
        }
        catch (DownshiftException)
        {
            return false;
        }

        return Uri.TryCreate(sample, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https";
    }
}
