using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;

namespace Downshift.Monitoring.Prometheus.Internal;

/// <summary>Reads an answer of the Prometheus HTTP API (<c>/api/v1/query</c>, <c>/api/v1/query_range</c>) into a <see cref="PrometheusResult"/>.</summary>
internal static class PrometheusResponse
{
    public const string EmptyError = "no data: the query matched no series (the metric does not exist, or its target is down)";
    private const int SnippetLength = 200;

    public static PrometheusResult Read(HttpStatusCode code, string? reason, byte[] body)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("status", out var status))
            {
                return NotTheApi(code, reason, body);
            }

            if (status.GetString() != "success")
            {
                var type = root.TryGetProperty("errorType", out var t) ? t.GetString() : null;
                var message = root.TryGetProperty("error", out var m) ? m.GetString() : null;
                return PrometheusResult.Failed(PrometheusStatus.QueryError, $"{type ?? "error"}: {message ?? $"HTTP {(int)code}"}");
            }

            return Success(root);
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or KeyNotFoundException or FormatException or IndexOutOfRangeException)
        {
            return code == HttpStatusCode.OK
                ? PrometheusResult.Failed(PrometheusStatus.BadResponse, $"not an answer of the Prometheus API ({e.Message}): {Snippet(body)}")
                : NotTheApi(code, reason, body);
        }
    }

    private static PrometheusResult Success(JsonElement root)
    {
        var data = root.GetProperty("data");
        var resultType = data.GetProperty("resultType").GetString() ?? "";
        var result = data.GetProperty("result");
        var warnings = root.TryGetProperty("warnings", out var w) && w.ValueKind == JsonValueKind.Array
            ? w.EnumerateArray().Select(x => x.GetString() ?? "").ToList()
            : [];
        List<PrometheusSeries> series = resultType switch
        {
            "vector" => [.. result.EnumerateArray().Select(s => new PrometheusSeries(Labels(s), [Value(s.GetProperty("value"))]))],
            "matrix" => [.. result.EnumerateArray().Select(s => new PrometheusSeries(Labels(s), [.. s.GetProperty("values").EnumerateArray().Select(Value)]))],
            "scalar" => [new PrometheusSeries(new Dictionary<string, string>(), [Value(result)])],
            _ => [],
        };
        if (resultType is not ("vector" or "matrix" or "scalar"))
        {
            return PrometheusResult.Failed(PrometheusStatus.BadResponse, $"the query returns a {resultType}, not a number") with { ResultType = resultType };
        }

        return new PrometheusResult
        {
            Status = series.Count == 0 ? PrometheusStatus.Empty : PrometheusStatus.Ok,
            ResultType = resultType,
            Series = series,
            Error = series.Count == 0 ? EmptyError : null,
            Warnings = warnings,
        };
    }

    private static Dictionary<string, string> Labels(JsonElement series) =>
        series.GetProperty("metric").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString() ?? "", StringComparer.Ordinal);

    /// <summary><c>[1712345678.123, "0.5"]</c>: unix seconds and the value as a string (<c>NaN</c>, <c>+Inf</c>, <c>-Inf</c> too).</summary>
    private static PrometheusValue Value(JsonElement pair)
    {
        var time = DateTimeOffset.FromUnixTimeMilliseconds((long)Math.Round(pair[0].GetDouble() * 1000));
        var text = pair[1].GetString() ?? throw new FormatException("a sample value is null");
        var value = text switch
        {
            "NaN" => double.NaN,
            "+Inf" or "Inf" => double.PositiveInfinity,
            "-Inf" => double.NegativeInfinity,
            _ => double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture),
        };
        return new PrometheusValue(time, value);
    }

    private static PrometheusResult NotTheApi(HttpStatusCode code, string? reason, byte[] body) =>
        code == HttpStatusCode.OK
            ? PrometheusResult.Failed(PrometheusStatus.BadResponse, $"not an answer of the Prometheus API: {Snippet(body)}")
            : PrometheusResult.Failed(PrometheusStatus.HttpError, $"HTTP {(int)code} {reason}: {Snippet(body)}".TrimEnd(' ', ':'));

    private static string Snippet(byte[] body)
    {
        var text = Encoding.UTF8.GetString(body, 0, Math.Min(body.Length, SnippetLength * 4)).ReplaceLineEndings(" ").Trim();
        return text.Length > SnippetLength ? text[..SnippetLength] + "…" : text;
    }
}
