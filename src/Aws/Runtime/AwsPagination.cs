using System.Runtime.CompilerServices;

namespace BatchOps.Aws.Runtime;

/// <summary>Follows next tokens lazily; the generated paginators are one-liners over these.</summary>
public static class AwsPagination
{
    public static async IAsyncEnumerable<TResponse> PagesAsync<TRequest, TResponse>(
        TRequest first,
        Func<TRequest, CancellationToken, Task<TResponse>> call,
        Func<TResponse, string?> nextToken,
        Func<TRequest, string, TRequest> withToken,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var request = first;
        string? previous = null;
        while (true)
        {
            var page = await call(request, cancellationToken).ConfigureAwait(false);
            yield return page;
            var token = nextToken(page);
            if (string.IsNullOrEmpty(token))
            {
                yield break;
            }

            // A service that hands back the token it was given would loop forever.
            if (token == previous)
            {
                throw new InvalidOperationException($"The service returned the same pagination token twice for {typeof(TRequest).Name}.");
            }

            previous = token;
            request = withToken(request, token);
        }
    }

    public static async IAsyncEnumerable<TItem> ItemsAsync<TResponse, TItem>(IAsyncEnumerable<TResponse> pages, Func<TResponse, IEnumerable<TItem>?> items)
    {
        await foreach (var page in pages.ConfigureAwait(false))
        {
            foreach (var item in items(page) ?? [])
            {
                yield return item;
            }
        }
    }
}
