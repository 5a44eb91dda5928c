using System.Text;
using System.Text.Json;
using Downshift.Steps.HttpCheck.Internal;

namespace Downshift.Steps.HttpCheck;

internal sealed class HttpCheckExecutor(HttpCheckOptions options) : IStepExecutor
{
    private static readonly HttpClient Client = new(new SocketsHttpHandler
    {
        PooledConnectionLifetime = TimeSpan.FromMinutes(1),
        UseProxy = false,
    })
    {
        Timeout = Timeout.InfiniteTimeSpan,
    };

    public string Describe() =>
        $"http-check {options.Method} {options.Url} expect {options.ExpectStatus}" +
        string.Concat(options.ExpectJson.Select(kv => $", {kv.Key}={kv.Value}")) +
        (options.ExpectBody is null ? "" : $", body contains '{options.ExpectBody}'") +
        (options.MaxLatency is { } max ? $", under {max.TotalMilliseconds:0}ms" : "");

    public string? DescribeUndo() => null;

    public Task<CheckResult> CheckAsync(StepContext context, CancellationToken cancellationToken) =>
        Task.FromResult(CheckResult.NotDone);

    public Task<UndoData> PrepareAsync(StepContext context, CancellationToken cancellationToken) =>
        Task.FromResult(UndoData.Empty);

    public async Task<StepOutcome> ExecuteAsync(StepContext context, UndoData prepared, CancellationToken cancellationToken)
    {
        var start = context.Time.GetTimestamp();
        var url = new Uri(context.Expand(options.Url));
        var tries = 0;
        string failure;
        while (true)
        {
            tries++;
            failure = await TryOnceAsync(url, context.Time, cancellationToken) is { } problem ? problem : "";
            if (failure.Length == 0)
            {
                return StepOutcome.Succeeded($"{options.Method} {url}: as expected after {tries} tr{(tries == 1 ? "y" : "ies")}");
            }

            if (context.Time.GetElapsedTime(start) + options.Interval >= options.UntilHealthy)
            {
                break;
            }

            await Task.Delay(options.Interval, context.Time, cancellationToken);
        }

        return StepOutcome.Failed($"{options.Method} {url}: {failure} (after {tries} tries in {context.Time.GetElapsedTime(start).TotalSeconds:0.#}s)");
    }

    public Task<StepOutcome> UndoAsync(StepContext context, UndoData prepared, CancellationToken cancellationToken) =>
        Task.FromResult(StepOutcome.Skipped("an http-check changes nothing"));

    private async Task<string?> TryOnceAsync(Uri url, TimeProvider time, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(new HttpMethod(options.Method), url);
        if (options.Body is { } body)
        {
            var json = body.TrimStart().StartsWith('{') || body.TrimStart().StartsWith('[');
            request.Content = new StringContent(body, Encoding.UTF8, json ? "application/json" : "text/plain");
        }

        foreach (var (name, value) in options.Headers)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        using var timeout = new CancellationTokenSource(options.RequestTimeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        var start = time.GetTimestamp();
        try
        {
            using var response = await Client.SendAsync(request, linked.Token);
            var text = await response.Content.ReadAsStringAsync(linked.Token);
            var latency = time.GetElapsedTime(start);
            return Judge((int)response.StatusCode, text, latency);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return $"no answer within {options.RequestTimeout.TotalSeconds:0.#}s";
        }
        catch (HttpRequestException e)
        {
            return $"request failed: {e.Message}";
        }
    }

    private string? Judge(int status, string body, TimeSpan latency)
    {
        if (status != options.ExpectStatus)
        {
            return $"status {status}, expected {options.ExpectStatus}; body: {Excerpt(body)}";
        }

        if (options.ExpectBody is { } expected && !body.Contains(expected, StringComparison.Ordinal))
        {
            return $"body does not contain '{expected}': {Excerpt(body)}";
        }

        if (options.ExpectJson.Count > 0)
        {
            JsonElement root;
            try
            {
                using var document = JsonDocument.Parse(body);
                root = document.RootElement.Clone();
            }
            catch (JsonException)
            {
                return $"body is not JSON: {Excerpt(body)}";
            }

            foreach (var (path, want) in options.ExpectJson)
            {
                var actual = JsonPath.Select(root, path);
                if (actual != want)
                {
                    return $"{path} is {(actual is null ? "missing" : $"'{actual}'")}, expected '{want}'";
                }
            }
        }

        return options.MaxLatency is { } max && latency > max
            ? $"answered in {latency.TotalMilliseconds:0}ms, over the {max.TotalMilliseconds:0}ms bound"
            : null;
    }

    private static string Excerpt(string text) => text.Length <= 200 ? text.Trim() : text[..200].Trim() + "…";
}
