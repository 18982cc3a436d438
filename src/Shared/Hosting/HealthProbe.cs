namespace BatchOps.Hosting;

/// <summary>
/// `app --probe http://127.0.0.1:8080/healthz`: exits 0 when the URL answers 2xx. Chiseled images have no
/// shell or curl, so container health checks (docker-compose) call the app itself.
/// </summary>
internal static class HealthProbe
{
    public const string Argument = "--probe";

    /// <summary>Returns the exit code when <paramref name="args"/> asks for a probe, or null to run normally.</summary>
    public static async Task<int?> RunIfRequestedAsync(string[] args)
    {
        ArgumentNullException.ThrowIfNull(args);
        var index = Array.IndexOf(args, Argument);
        if (index < 0)
        {
            return null;
        }

        if (index + 1 >= args.Length || !Uri.TryCreate(args[index + 1], UriKind.Absolute, out var url))
        {
            await Console.Error.WriteLineAsync($"usage: {Argument} <absolute url>").ConfigureAwait(false);
            return 2;
        }

        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        try
        {
            using var response = await http.GetAsync(url).ConfigureAwait(false);
            return response.IsSuccessStatusCode ? 0 : 1;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            await Console.Error.WriteLineAsync($"{url}: {e.Message}").ConfigureAwait(false);
            return 1;
        }
    }
}
