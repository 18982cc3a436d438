using BatchOps.Aws.Ecs;
using BatchOps.Aws.Runtime;
using BatchOps.Sandbox.Http;
using BatchOps.TestSupport;

namespace BatchOps.Sandbox.Tests.Api;

/// <summary>The ECS read operations a console, the CLI or a script uses, answered as ECS answers them.</summary>
public sealed class EcsReadApiTests : IAsyncLifetime
{
    private SandboxServer _server = null!;
    private IAmazonECS _ecs = null!;

    public async Task InitializeAsync()
    {
        _server = await SandboxServer.StartAsync("http://127.0.0.1:0");
        _ecs = new TestClients(_server.Endpoint).Ecs;
        foreach (var (family, revisions) in new[] { ("etl-export", 3), ("etl-import", 1), ("report", 2) })
        {
            for (var i = 0; i < revisions; i++)
            {
                await _ecs.RegisterTaskDefinitionAsync(new() { Family = family, ContainerDefinitions = [new() { Name = "main", Image = "busybox", Essential = true }] });
            }
        }
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task Task_definitions_list_by_family_and_revision_page_by_page_in_either_order()
    {
        var ascending = new List<string>();
        await foreach (var page in Pages(new ListTaskDefinitionsRequest { FamilyPrefix = "etl-", MaxResults = 2 }))
        {
            Assert.True(page.TaskDefinitionArns!.Count <= 2);
            ascending.AddRange(page.TaskDefinitionArns);
        }

        var descending = (await _ecs.ListTaskDefinitionsAsync(new() { FamilyPrefix = "etl-", Sort = SortOrder.DESC })).TaskDefinitionArns!;

        Assert.Equal(["etl-export:1", "etl-export:2", "etl-export:3", "etl-import:1"], ascending.Select(a => a[(a.LastIndexOf('/') + 1)..]));
        Assert.Equal(Enumerable.Reverse(ascending), descending);
        var bad = await Assert.ThrowsAnyAsync<AwsServiceException>(() => _ecs.ListTaskDefinitionsAsync(new() { NextToken = "not-a-token" }));
        Assert.Equal("InvalidParameterException", bad.ErrorCode);
    }

    [Fact]
    public async Task A_deregistered_revision_is_inactive_no_longer_runs_and_a_family_without_active_revisions_lists_as_inactive()
    {
        var deregistered = await _ecs.DeregisterTaskDefinitionAsync(new() { TaskDefinition = "etl-import:1" });

        Assert.Equal("INACTIVE", deregistered.TaskDefinition!.Status);
        Assert.NotNull(deregistered.TaskDefinition.DeregisteredAt);
        Assert.Equal(["etl-export", "report"], (await _ecs.ListTaskDefinitionFamiliesAsync(new())).Families);
        Assert.Equal(["etl-import"], (await _ecs.ListTaskDefinitionFamiliesAsync(new() { Status = "INACTIVE" })).Families);
        Assert.Equal(["etl-export", "etl-import", "report"], (await _ecs.ListTaskDefinitionFamiliesAsync(new() { Status = "ALL" })).Families);
        Assert.Single((await _ecs.ListTaskDefinitionsAsync(new() { Status = "INACTIVE" })).TaskDefinitionArns!);
        // Still describable, as in ECS; running it is refused.
        Assert.Equal("INACTIVE", (await _ecs.DescribeTaskDefinitionAsync(new() { TaskDefinition = "etl-import:1" })).TaskDefinition!.Status);
        var refused = await Assert.ThrowsAnyAsync<AwsServiceException>(() => _ecs.RunTaskAsync(new() { TaskDefinition = "etl-import:1", LaunchType = "FARGATE" }));
        Assert.Equal("ClientException", refused.ErrorCode);
        var noRevision = await Assert.ThrowsAnyAsync<AwsServiceException>(() => _ecs.DeregisterTaskDefinitionAsync(new() { TaskDefinition = "report" }));
        Assert.Contains("Invalid revision number", noRevision.Details.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Fargate_clusters_have_no_container_instances_and_an_unknown_cluster_is_not_found()
    {
        Assert.Empty((await _ecs.ListContainerInstancesAsync(new() { Cluster = "default" })).ContainerInstanceArns!);
        var missing = await Assert.ThrowsAnyAsync<AwsServiceException>(() => _ecs.ListContainerInstancesAsync(new() { Cluster = "nope" }));
        Assert.Equal("ClusterNotFoundException", missing.ErrorCode);
    }

    [Fact]
    public async Task Fargate_has_no_container_instances_or_services_to_describe()
    {
        var described = await _ecs.DescribeContainerInstancesAsync(new() { Cluster = "default", ContainerInstances = ["arn:aws:ecs:us-east-1:000000000000:container-instance/default/abc"] });
        var services = await _ecs.ListServicesAsync(new() { Cluster = "default", MaxResults = 10 });

        Assert.Empty(described.ContainerInstances!);
        Assert.Equal("MISSING", Assert.Single(described.Failures!).Reason);
        Assert.Empty(services.ServiceArns!);
        Assert.Null(services.NextToken);
    }

    [Fact]
    public async Task Clusters_list_page_by_page()
    {
        foreach (var name in new[] { "alpha", "beta", "gamma" })
        {
            await _ecs.CreateClusterAsync(new() { ClusterName = name });
        }

        var first = await _ecs.ListClustersAsync(new() { MaxResults = 2 });
        var second = await _ecs.ListClustersAsync(new() { MaxResults = 2, NextToken = first.NextToken });

        Assert.Equal(2, first.ClusterArns!.Count);
        Assert.NotNull(first.NextToken);
        Assert.Equal(
            (await _ecs.ListClustersAsync(new())).ClusterArns,
            first.ClusterArns.Concat(second.ClusterArns!));
        Assert.Null(second.NextToken);
    }

    [Fact]
    public async Task Tags_on_clusters_task_definitions_and_tasks_are_added_replaced_removed_and_listed()
    {
        var cluster = (await _ecs.CreateClusterAsync(new() { ClusterName = "tagged", Tags = [new() { Key = "team", Value = "data" }] })).Cluster!.ClusterArn!;
        var definition = (await _ecs.DescribeTaskDefinitionAsync(new() { TaskDefinition = "report:2" })).TaskDefinition!.TaskDefinitionArn!;

        await _ecs.TagResourceAsync(new() { ResourceArn = cluster, Tags = [new() { Key = "team", Value = "ops" }, new() { Key = "cost", Value = "42" }] });
        await _ecs.TagResourceAsync(new() { ResourceArn = definition, Tags = [new() { Key = "owner", Value = "etl" }] });
        await _ecs.UntagResourceAsync(new() { ResourceArn = cluster, TagKeys = ["cost"] });

        var clusterTags = (await _ecs.ListTagsForResourceAsync(new() { ResourceArn = cluster })).Tags!;
        Assert.Equal([("team", "ops")], clusterTags.Select(t => (t.Key, t.Value)));
        Assert.Equal([("owner", "etl")], (await _ecs.ListTagsForResourceAsync(new() { ResourceArn = definition })).Tags!.Select(t => (t.Key, t.Value)));
        var unknownCluster = await Assert.ThrowsAnyAsync<AwsServiceException>(() => _ecs.ListTagsForResourceAsync(new() { ResourceArn = "arn:aws:ecs:us-east-1:000000000000:cluster/nope" }));
        Assert.Equal("ClusterNotFoundException", unknownCluster.ErrorCode);
        var unknownDefinition = await Assert.ThrowsAnyAsync<AwsServiceException>(() => _ecs.TagResourceAsync(new() { ResourceArn = "arn:aws:ecs:us-east-1:000000000000:task-definition/nope:1", Tags = [new() { Key = "a", Value = "b" }] }));
        Assert.Equal("InvalidParameterException", unknownDefinition.ErrorCode);
        var tooMany = await Assert.ThrowsAnyAsync<AwsServiceException>(() => _ecs.TagResourceAsync(new() { ResourceArn = cluster, Tags = [.. Enumerable.Range(0, 50).Select(i => new Tag { Key = $"k{i}", Value = "v" })] }));
        Assert.Equal("InvalidParameterException", tooMany.ErrorCode);
        Assert.Single((await _ecs.ListTagsForResourceAsync(new() { ResourceArn = cluster })).Tags!);
    }

    private async IAsyncEnumerable<ListTaskDefinitionsResponse> Pages(ListTaskDefinitionsRequest request)
    {
        string? token = null;
        do
        {
            var page = await _ecs.ListTaskDefinitionsAsync(request with { NextToken = token });
            yield return page;
            token = page.NextToken;
        }
        while (token is not null);
    }
}
