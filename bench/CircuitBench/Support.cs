using System.Globalization;
using System.Net.Http.Headers;
using BatchOps.Aws.StepFunctions;
using BatchOps.TestSupport;

namespace BatchOps.CircuitBench;

/// <summary>Reads the dashboard's Prometheus endpoint: the few series the bench reports.</summary>
internal sealed class MetricsScraper(Uri endpoint, string token) : IDisposable
{
    private readonly HttpClient _http = new() { DefaultRequestHeaders = { Authorization = new AuthenticationHeaderValue("Bearer", token) } };

    public sealed record Sample(DateTimeOffset At, double ExecutionsRefreshes, double EfQueries, double CpuSeconds, double Gen2Collections, long HeapBytes, double Subscriptions);

    public async Task<Sample> ScrapeAsync()
    {
        var text = await _http.GetStringAsync(endpoint);
        var series = text.Split('\n').Where(l => l.Length > 0 && l[0] != '#').Select(Parse).ToList();
        double Sum(string name, params string[] labels) =>
            series.Where(s => s.Name == name && labels.All(l => s.Labels.Contains(l, StringComparison.Ordinal))).Sum(s => s.Value);
        return new Sample(
            DateTimeOffset.UtcNow,
            Sum("batchops_page_live_refreshes_total", "page=\"ExecutionsPage\"", "kinds=\"Executions\""),
            Sum("microsoft_entityframeworkcore_queries_total"),
            Sum("dotnet_process_cpu_time_seconds_total"),
            Sum("dotnet_gc_collections_total", "gc_heap_generation=\"gen2\""),
            (long)Sum("dotnet_gc_last_collection_heap_size_bytes"),
            Sum("batchops_page_live_subscriptions"));
    }

    private static (string Name, string Labels, double Value) Parse(string line)
    {
        // name{labels} value [timestamp]
        var brace = line.IndexOf('{', StringComparison.Ordinal);
        var space = line.IndexOf(' ', brace < 0 ? 0 : line.IndexOf('}', StringComparison.Ordinal));
        var name = line[..(brace < 0 ? space : brace)];
        var labels = brace < 0 ? "" : line[brace..(space)];
        var value = line[(space + 1)..].Split(' ')[0];
        return (name, labels, double.Parse(value, NumberStyles.Float, CultureInfo.InvariantCulture));
    }

    public void Dispose() => _http.Dispose();
}

/// <summary>Starts bursts of executions of a one-state workflow through the sandbox's Step Functions API.</summary>
internal sealed class BurstClients(Uri sandbox) : IDisposable
{
    private readonly IAmazonStepFunctions _sfn = new TestClients(sandbox).StepFunctions;

    public async Task<string> CreateWorkflowAsync(string name) =>
        (await _sfn.CreateStateMachineAsync(new CreateStateMachineRequest
        {
            Name = name,
            Definition = """{"StartAt":"Done","States":{"Done":{"Type":"Pass","End":true}}}""",
            RoleArn = "arn:aws:iam::000000000000:role/bench-burst",
        })).StateMachineArn;

    /// <summary>Starts <paramref name="count"/> executions named <c>{round}-00000</c>…, 16 at a time.</summary>
    public Task StartAsync(string machine, int count, string round) =>
        Parallel.ForEachAsync(Enumerable.Range(0, count), new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (i, ct) =>
            await _sfn.StartExecutionAsync(new StartExecutionRequest { StateMachineArn = machine, Name = $"{round}-{i:D5}" }, ct));

    public void Dispose() => (_sfn as IDisposable)?.Dispose();
}
