using System.Text;
using System.Text.Json;

namespace Downshift.Monitoring.Internal;

/// <summary>
/// The Data of a <c>MetricSamples</c> record, version 1:
/// <c>{"v":1,"stage":"baseline","series":[{"host":"h1","metric":"cpu.percent","points":[[1767225600000,12.5],[1767225601000,null,"error"]]}]}</c>
/// — a point is [Unix time in ms, value or null, error when there is one]. Compact on purpose: a record
/// holds a host's points of several seconds.
/// </summary>
internal static class MetricRecordJson
{
    public const int Version = 1;

    public static string Write(string stage, IEnumerable<MetricSeries> series)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteNumber("v", Version);
            json.WriteString("stage", stage);
            json.WriteStartArray("series");
            foreach (var one in series)
            {
                json.WriteStartObject();
                json.WriteString("host", one.Host);
                json.WriteString("metric", one.Metric);
                json.WriteStartArray("points");
                foreach (var point in one.Points)
                {
                    WritePoint(json, point);
                }

                json.WriteEndArray();
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    /// <summary>The stage and the series of one record's Data.</summary>
    /// <exception cref="FormatException">Not a version this Downshift reads, or not the shape above.</exception>
    public static (string Stage, List<MetricSeries> Series) Read(string data)
    {
        try
        {
            using var document = JsonDocument.Parse(data);
            var root = document.RootElement;
            if (root.GetProperty("v").GetInt32() != Version)
            {
                throw new FormatException($"metric samples of version {root.GetProperty("v").GetInt32()} (this Downshift reads {Version})");
            }

            var series = new List<MetricSeries>();
            foreach (var one in root.GetProperty("series").EnumerateArray())
            {
                var points = one.GetProperty("points").EnumerateArray().Select(ReadPoint).ToList();
                series.Add(new MetricSeries(one.GetProperty("host").GetString()!, one.GetProperty("metric").GetString()!, points));
            }

            return (root.GetProperty("stage").GetString()!, series);
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            throw new FormatException($"metric samples cannot be read: {e.Message}", e);
        }
    }

    private static void WritePoint(Utf8JsonWriter json, MetricPoint point)
    {
        json.WriteStartArray();
        json.WriteNumberValue(point.Time.ToUnixTimeMilliseconds());
        var error = point.Error;
        if (point.Value is { } value && double.IsFinite(value))
        {
            json.WriteNumberValue(value);
        }
        else
        {
            json.WriteNullValue();
            error ??= point.Value is null ? null : $"not a finite number: {point.Value}";
        }

        if (error is not null)
        {
            json.WriteStringValue(error);
        }

        json.WriteEndArray();
    }

    private static MetricPoint ReadPoint(JsonElement point)
    {
        var time = DateTimeOffset.FromUnixTimeMilliseconds(point[0].GetInt64());
        double? value = point[1].ValueKind == JsonValueKind.Null ? null : point[1].GetDouble();
        return new MetricPoint(time, value, point.GetArrayLength() > 2 ? point[2].GetString() : null);
    }
}
