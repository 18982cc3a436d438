using System.Net;
using Microsoft.AspNetCore.Mvc.Testing;

namespace BatchOps.Dashboard.Tests;

public sealed class HostTests(WebApplicationFactory<BatchOps.Dashboard.Components.App> factory) : IClassFixture<WebApplicationFactory<BatchOps.Dashboard.Components.App>>
{
    [Fact]
    public async Task Health_check_answers_healthy_once_the_aws_settings_validate()
    {
        using var client = factory.CreateClient();

        using var response = await client.GetAsync(new Uri("/healthz", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("Healthy", await response.Content.ReadAsStringAsync());
    }
}
