using System.Globalization;
using System.Collections.Concurrent;
using BatchOps.Aws.Ecs;
using BatchOps.Sandbox.StepFunctions;

namespace BatchOps.Sandbox.Ecs;

/// <summary>A fault the next task(s) of a task definition family suffer instead of running normally.</summary>
public enum EcsFault
{
    CannotPullContainer,
    ResourceInitialization,
    Capacity,
    OutOfMemory,
    SpotInterruption,
}

/// <summary>How the sandbox runs images: which local command stands for which image.</summary>
public sealed class EcsSandboxOptions
{
    /// <summary>Image repository (with '*' wildcards, tag ignored) -> the command that stands for its entry point, e.g. ["dotnet", ".../BatchOps.Worker.dll"].</summary>
    public Dictionary<string, string[]> Images { get; } = new(StringComparer.Ordinal);

    /// <summary>The ECS stop timeout when a container definition sets none (ECS's default is 30 s).</summary>
    public TimeSpan DefaultStopTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long stopped tasks stay visible (ECS: about an hour).</summary>
    public TimeSpan StoppedTaskRetention { get; set; } = TimeSpan.FromHours(1);
}

/// <summary>
/// ECS on one machine: clusters, task definitions, and tasks whose essential container runs as a local
/// process, with ECS's lifecycle, stop codes, stopped reasons and exit codes.
/// </summary>
public sealed class EcsSandbox(EcsSandboxOptions options, TimeProvider time, SandboxAccount account)
{
    private readonly ConcurrentDictionary<string, Cluster> _clusters = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, List<TaskDefinition>> _definitions = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, RunningTask> _tasks = new(StringComparer.Ordinal);

    /// <summary>Tags by resource ARN (clusters, task definition revisions, tasks), as TagResource and the Create/Register/Run calls set them.</summary>
    private readonly ConcurrentDictionary<string, List<Tag>> _tags = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, ConcurrentQueue<EcsFault>> _faults = new(StringComparer.Ordinal);

    /// <summary>Where the processes reach the sandbox's AWS APIs (set once the server listens).</summary>
    public Uri? Endpoint { get; set; }

    /// <summary>Issues a task's credentials for its task role (role ARN, task ARN); unset, tasks get the sandbox's worker keys.</summary>
    public Func<string, string, (string AccessKeyId, string SecretAccessKey)>? TaskRoleCredentials { get; set; }

    private sealed class RunningTask(EcsTask task)
    {
        public EcsTask Task { get; set; } = task;
        public LocalProcess? Process { get; set; }
        public Task Done { get; set; } = System.Threading.Tasks.Task.CompletedTask;
        public string? StopReason { get; set; }
        public string? TaskRoleArn { get; init; }
        public TaskCompletionSource Stopped { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    /// <summary>Drops the faults still queued for <paramref name="family"/> (every family when null); returns how many.</summary>
    public int ClearFaults(string? family)
    {
        var cleared = 0;
        foreach (var (key, queue) in _faults)
        {
            if (family is null || key == family)
            {
                while (queue.TryDequeue(out _))
                {
                    cleared++;
                }
            }
        }

        return cleared;
    }

    /// <summary>The most faults one request may queue (a typo of 10 000 000 would otherwise hold memory and every later task).</summary>
    public const int MaxFaults = 1000;

    /// <summary>Variables that make a process load other code (the dynamic loader's, .NET's startup hooks and profilers).</summary>
    public static bool LoadsCode(string name) =>
        name.StartsWith("LD_", StringComparison.OrdinalIgnoreCase) || name.StartsWith("DYLD_", StringComparison.OrdinalIgnoreCase)
        || name.StartsWith("CORECLR_", StringComparison.OrdinalIgnoreCase) || name.StartsWith("COR_", StringComparison.OrdinalIgnoreCase)
        || name.StartsWith("COMPlus_", StringComparison.OrdinalIgnoreCase)
        || name.ToUpperInvariant() is "DOTNET_STARTUP_HOOKS" or "DOTNET_ADDITIONAL_DEPS" or "DOTNET_SHARED_STORE" or "DOTNET_ROOT" or "DOTNET_ROOT_X64" or "DOTNET_ROOT_ARM64"
            or "DOTNET_PROFILER" or "DOTNET_ENABLEDIAGNOSTICS" or "ASPNETCORE_HOSTINGSTARTUPASSEMBLIES";

    public void InjectFault(string family, EcsFault fault, int count = 1)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, MaxFaults);
        var queue = _faults.GetOrAdd(family, _ => new());
        for (var i = 0; i < count; i++)
        {
            queue.Enqueue(fault);
        }
    }

    public IReadOnlyList<string> Logs(string taskArn) => _tasks.TryGetValue(taskArn, out var t) ? t.Process?.Logs ?? [] : [];

    public CreateClusterResponse CreateCluster(CreateClusterRequest request)
    {
        var name = request.ClusterName ?? "default";
        var cluster = _clusters.GetOrAdd(name, n =>
        {
            var arn = $"arn:aws:ecs:{account.Region}:{account.Id}:cluster/{n}";
            _tags[arn] = request.Tags ?? [];
            return new Cluster { ClusterArn = arn, ClusterName = n, Status = "ACTIVE" };
        });
        return new CreateClusterResponse { Cluster = Describe(cluster) };
    }

    public ListClustersResponse ListClusters(ListClustersRequest request)
    {
        var (page, next) = Paging.Page([.. _clusters.Values.Select(c => c.ClusterArn!).Order(StringComparer.Ordinal)], request.MaxResults, request.NextToken, "InvalidParameterException");
        return new ListClustersResponse { ClusterArns = page, NextToken = next };
    }

    /// <summary>Fargate has no container instances: every one asked for is reported MISSING, for a cluster that exists.</summary>
    public DescribeContainerInstancesResponse DescribeContainerInstances(DescribeContainerInstancesRequest request)
    {
        _ = ClusterOf(request.Cluster);
        return new DescribeContainerInstancesResponse { ContainerInstances = [], Failures = [.. request.ContainerInstances.Select(i => new Failure { Arn = i, Reason = "MISSING" })] };
    }

    /// <summary>The sandbox runs tasks, not services: an empty list, for a cluster that exists.</summary>
    public ListServicesResponse ListServices(ListServicesRequest request)
    {
        _ = ClusterOf(request.Cluster);
        var (page, next) = Paging.Page(new List<string>(), request.MaxResults, request.NextToken, "InvalidParameterException");
        return new ListServicesResponse { ServiceArns = page, NextToken = next };
    }

    public ListTagsForResourceResponse ListTagsForResource(ListTagsForResourceRequest request) =>
        new() { Tags = [.. TagsOf(request.ResourceArn)] };

    /// <summary>Adds or replaces tags by key (at most 50 per resource, as ECS allows).</summary>
    public TagResourceResponse TagResource(TagResourceRequest request)
    {
        var tags = TagsOf(request.ResourceArn);
        lock (tags)
        {
            var merged = tags.Where(t => request.Tags.All(n => n.Key != t.Key)).Concat(request.Tags).ToList();
            if (merged.Count > 50)
            {
                throw new SandboxErrorException("InvalidParameterException", "The following supplied tags exceed the maximum of 50 tags per resource.");
            }

            tags.Clear();
            tags.AddRange(merged);
        }

        return new TagResourceResponse();
    }

    public UntagResourceResponse UntagResource(UntagResourceRequest request)
    {
        var tags = TagsOf(request.ResourceArn);
        lock (tags)
        {
            tags.RemoveAll(t => request.TagKeys.Contains(t.Key!));
        }

        return new UntagResourceResponse();
    }

    private List<Tag> TagsOf(string arn)
    {
        if (_tags.TryGetValue(arn, out var tags))
        {
            return tags;
        }

        // A cluster ARN the sandbox does not have is ClusterNotFound; any other unknown ARN is a bad parameter, as in ECS.
        throw arn.Contains(":cluster/", StringComparison.Ordinal)
            ? new SandboxErrorException("ClusterNotFoundException", "Cluster not found.")
            : new SandboxErrorException("InvalidParameterException", $"The specified resource is not found: {arn}");
    }

    public DescribeClustersResponse DescribeClusters(DescribeClustersRequest request)
    {
        var names = request.Clusters is { Count: > 0 } c ? c : ["default"];
        var found = names.Select(n => _clusters.GetValueOrDefault(ClusterName(n))).ToList();
        return new DescribeClustersResponse
        {
            Clusters = [.. found.OfType<Cluster>().Select(Describe)],
            Failures = [.. names.Where((_, i) => found[i] is null).Select(n => new Failure { Arn = n, Reason = "MISSING" })],
        };
    }

    public RegisterTaskDefinitionResponse RegisterTaskDefinition(RegisterTaskDefinitionRequest request)
    {
        if (request.ContainerDefinitions.Count == 0)
        {
            throw new SandboxErrorException("ClientException", "Container list cannot be empty.");
        }

        var revisions = _definitions.GetOrAdd(request.Family, _ => []);
        lock (revisions)
        {
            var revision = revisions.Count + 1;
            var definition = new TaskDefinition
            {
                TaskDefinitionArn = $"arn:aws:ecs:{account.Region}:{account.Id}:task-definition/{request.Family}:{revision}",
                Family = request.Family,
                Revision = revision,
                ContainerDefinitions = request.ContainerDefinitions,
                Cpu = request.Cpu,
                Memory = request.Memory,
                NetworkMode = request.NetworkMode,
                TaskRoleArn = request.TaskRoleArn,
                ExecutionRoleArn = request.ExecutionRoleArn,
                RequiresCompatibilities = request.RequiresCompatibilities,
                Status = "ACTIVE",
                RegisteredAt = time.GetUtcNow(),
            };
            revisions.Add(definition);
            _tags[definition.TaskDefinitionArn] = request.Tags ?? [];
            return new RegisterTaskDefinitionResponse { TaskDefinition = definition, Tags = request.Tags };
        }
    }

    public DescribeTaskDefinitionResponse DescribeTaskDefinition(DescribeTaskDefinitionRequest request) => new() { TaskDefinition = Definition(request.TaskDefinition) };

    /// <summary>Revisions by family then revision (ACTIVE unless asked for INACTIVE), as ECS lists them.</summary>
    public ListTaskDefinitionsResponse ListTaskDefinitions(ListTaskDefinitionsRequest request)
    {
        var status = request.Status ?? "ACTIVE";
        var arns = AllDefinitions()
            .Where(d => d.Status == status && (request.FamilyPrefix is null || d.Family!.StartsWith(request.FamilyPrefix, StringComparison.Ordinal)))
            .OrderBy(d => d.Family, StringComparer.Ordinal).ThenBy(d => d.Revision)
            .Select(d => d.TaskDefinitionArn!)
            .ToList();
        if (request.Sort == SortOrder.DESC)
        {
            arns.Reverse();
        }

        var (page, next) = Paging.Page(arns, request.MaxResults, request.NextToken, "InvalidParameterException");
        return new ListTaskDefinitionsResponse { TaskDefinitionArns = page, NextToken = next };
    }

    /// <summary>Families with an ACTIVE revision (ACTIVE), with none left (INACTIVE), or every family (ALL).</summary>
    public ListTaskDefinitionFamiliesResponse ListTaskDefinitionFamilies(ListTaskDefinitionFamiliesRequest request)
    {
        var status = request.Status ?? "ACTIVE";
        var families = _definitions
            .Where(f => request.FamilyPrefix is null || f.Key.StartsWith(request.FamilyPrefix, StringComparison.Ordinal))
            .Where(f =>
            {
                lock (f.Value)
                {
                    var active = f.Value.Any(d => d.Status == "ACTIVE");
                    return status switch { "ALL" => true, "INACTIVE" => !active, _ => active };
                }
            })
            .Select(f => f.Key)
            .Order(StringComparer.Ordinal)
            .ToList();
        var (page, next) = Paging.Page(families, request.MaxResults, request.NextToken, "InvalidParameterException");
        return new ListTaskDefinitionFamiliesResponse { Families = page, NextToken = next };
    }

    /// <summary>Marks one revision INACTIVE: it stays describable, and no new task may run it.</summary>
    public DeregisterTaskDefinitionResponse DeregisterTaskDefinition(DeregisterTaskDefinitionRequest request)
    {
        var text = request.TaskDefinition.Contains("task-definition/", StringComparison.Ordinal) ? request.TaskDefinition[(request.TaskDefinition.IndexOf("task-definition/", StringComparison.Ordinal) + 16)..] : request.TaskDefinition;
        var parts = text.Split(':');
        if (parts.Length != 2 || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var revision))
        {
            throw new SandboxErrorException("ClientException", "Invalid revision number. Number: " + (parts.Length == 2 ? parts[1] : string.Empty));
        }

        if (!_definitions.TryGetValue(parts[0], out var revisions))
        {
            throw new SandboxErrorException("ClientException", "Unable to describe task definition.");
        }

        lock (revisions)
        {
            if (revisions.ElementAtOrDefault(revision - 1) is not { } found)
            {
                throw new SandboxErrorException("ClientException", "Unable to describe task definition.");
            }

            var deregistered = found.Status == "INACTIVE" ? found : found with { Status = "INACTIVE", DeregisteredAt = time.GetUtcNow() };
            revisions[revision - 1] = deregistered;
            return new DeregisterTaskDefinitionResponse { TaskDefinition = deregistered };
        }
    }

    /// <summary>Fargate has no container instances: an empty list, for a cluster that exists.</summary>
    public ListContainerInstancesResponse ListContainerInstances(ListContainerInstancesRequest request)
    {
        _ = ClusterOf(request.Cluster);
        return new ListContainerInstancesResponse { ContainerInstanceArns = [] };
    }

    private List<TaskDefinition> AllDefinitions()
    {
        var all = new List<TaskDefinition>();
        foreach (var revisions in _definitions.Values)
        {
            lock (revisions)
            {
                all.AddRange(revisions);
            }
        }

        return all;
    }

    private readonly ConcurrentDictionary<string, RunTaskResponse> _byClientToken = new(StringComparer.Ordinal);

    public RunTaskResponse RunTask(RunTaskRequest request)
    {
        // The client token makes a retried RunTask return the tasks it already started.
        if (request.ClientToken is { } token && _byClientToken.TryGetValue(token, out var earlier))
        {
            return earlier;
        }

        var response = Start(request);
        if (request.ClientToken is { } newToken)
        {
            _byClientToken.TryAdd(newToken, response);
        }

        return response;
    }

    private RunTaskResponse Start(RunTaskRequest request)
    {
        var cluster = ClusterOf(request.Cluster);
        var definition = Definition(request.TaskDefinition);
        if (definition.Status == "INACTIVE")
        {
            throw new SandboxErrorException("ClientException", $"TaskDefinition is inactive ({definition.TaskDefinitionArn}).");
        }
        var count = request.Count ?? 1;
        if (count is < 1 or > 10)
        {
            throw new SandboxErrorException("InvalidParameterException", "Count must be between 1 and 10.");
        }

        foreach (var name in (request.Overrides?.ContainerOverrides ?? []).SelectMany(o => o.Environment ?? []).Select(e => e.Name ?? "").Where(LoadsCode))
        {
            // In ECS this would stay inside the container; here the task is a process on this machine.
            throw new SandboxErrorException("InvalidParameterException",
                $"The sandbox runs tasks as processes on this machine and refuses the environment variable {name}: it changes what code the process loads.");
        }

        var tasks = new List<EcsTask>();
        var failures = new List<Failure>();
        for (var i = 0; i < count; i++)
        {
            var fault = _faults.TryGetValue(definition.Family!, out var q) && q.TryDequeue(out var f) ? f : (EcsFault?)null;
            if (fault == EcsFault.Capacity)
            {
                // Fargate reports missing capacity as a RunTask failure, not as a stopped task.
                failures.Add(new Failure { Arn = definition.TaskDefinitionArn, Reason = "Capacity is unavailable at this time. Please try again later or in a different availability zone" });
                continue;
            }

            tasks.Add(Launch(cluster, definition, request, fault));
        }

        return new RunTaskResponse { Tasks = tasks, Failures = failures };
    }

    public DescribeTasksResponse DescribeTasks(DescribeTasksRequest request)
    {
        Expire();
        var found = request.Tasks.Select(t => _tasks.Values.FirstOrDefault(r => r.Task.TaskArn == t || r.Task.TaskArn!.EndsWith("/" + t, StringComparison.Ordinal))).ToList();
        return new DescribeTasksResponse
        {
            Tasks = [.. found.OfType<RunningTask>().Select(r => r.Task)],
            Failures = [.. request.Tasks.Where((_, i) => found[i] is null).Select(t => new Failure { Arn = t, Reason = "MISSING" })],
        };
    }

    public ListTasksResponse ListTasks(ListTasksRequest request)
    {
        Expire();
        var cluster = ClusterOf(request.Cluster);
        var desired = request.DesiredStatus ?? "RUNNING";
        return new ListTasksResponse
        {
            TaskArns = [.. _tasks.Values.Select(r => r.Task)
                .Where(t => t.ClusterArn == cluster.ClusterArn && t.DesiredStatus == desired)
                .Where(t => request.Family is null || t.Group == "family:" + request.Family)
                .Where(t => request.StartedBy is null || t.StartedBy == request.StartedBy)
                .Select(t => t.TaskArn!)],
        };
    }

    public async Task<StopTaskResponse> StopTaskAsync(StopTaskRequest request)
    {
        var running = _tasks.Values.FirstOrDefault(r => r.Task.TaskArn == request.Task || r.Task.TaskArn!.EndsWith("/" + request.Task, StringComparison.Ordinal))
            ?? throw new SandboxErrorException("InvalidParameterException", "The referenced task was not found.");
        await StopAsync(running, request.Reason ?? "Task stopped by user").ConfigureAwait(false);
        return new StopTaskResponse { Task = running.Task };
    }

    /// <summary>Waits until the task is STOPPED and returns it as DescribeTasks would.</summary>
    public async Task<EcsTask> WaitStoppedAsync(string taskArn, CancellationToken cancellationToken)
    {
        var running = _tasks[taskArn];
        await running.Stopped.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        return running.Task;
    }

    /// <summary>Stops every task still running (the sandbox is shutting down): no process outlives it.</summary>
    public async Task StopAllAsync()
    {
        var running = _tasks.Values.Where(r => r.Task.LastStatus != "STOPPED").ToList();
        await Task.WhenAll(running.Select(r => StopAsync(r, "Sandbox stopped"))).ConfigureAwait(false);
    }

    public async Task StopAsync(string taskArn, string reason)
    {
        if (_tasks.TryGetValue(taskArn, out var running))
        {
            await StopAsync(running, reason).ConfigureAwait(false);
        }
    }

    private async Task StopAsync(RunningTask running, string reason)
    {
        lock (running)
        {
            if (running.Task.LastStatus == "STOPPED" || running.StopReason is not null)
            {
                return;
            }

            running.StopReason = reason;
            running.Task = running.Task with { DesiredStatus = "STOPPED", StoppingAt = time.GetUtcNow() };
        }

        var essential = EssentialContainer(Definition(running.Task.TaskDefinitionArn!));
        var stopTimeout = essential.StopTimeout is { } seconds ? TimeSpan.FromSeconds(seconds) : options.DefaultStopTimeout;
        if (running.Process is { } process)
        {
            await process.StopAsync(stopTimeout, time).ConfigureAwait(false);
        }

        await running.Done.ConfigureAwait(false);
    }

    private EcsTask Launch(Cluster cluster, TaskDefinition definition, RunTaskRequest request, EcsFault? fault)
    {
        var id = Guid.NewGuid().ToString("N");
        var taskArn = $"arn:aws:ecs:{account.Region}:{account.Id}:task/{cluster.ClusterName}/{id}";
        var container = EssentialContainer(definition);
        var overrides = request.Overrides?.ContainerOverrides?.FirstOrDefault(o => o.Name == container.Name);
        var now = time.GetUtcNow();
        var task = new EcsTask
        {
            TaskArn = taskArn,
            ClusterArn = cluster.ClusterArn,
            TaskDefinitionArn = definition.TaskDefinitionArn,
            Group = request.Group ?? "family:" + definition.Family,
            StartedBy = request.StartedBy,
            LaunchType = request.LaunchType ?? "FARGATE",
            PlatformVersion = request.PlatformVersion ?? "1.4.0",
            PlatformFamily = "Linux",
            Cpu = definition.Cpu,
            Memory = definition.Memory,
            DesiredStatus = "RUNNING",
            LastStatus = "PROVISIONING",
            CreatedAt = now,
            Version = 1,
            Overrides = request.Overrides ?? new TaskOverride { ContainerOverrides = [] },
            Tags = request.Tags ?? [],
            Containers =
            [
                new Container
                {
                    ContainerArn = $"arn:aws:ecs:{account.Region}:{account.Id}:container/{cluster.ClusterName}/{id}/{Guid.NewGuid()}",
                    TaskArn = taskArn,
                    Name = container.Name,
                    Image = container.Image,
                    LastStatus = "PENDING",
                    Cpu = (container.Cpu ?? 0).ToString(System.Globalization.CultureInfo.InvariantCulture),
                },
            ],
        };
        var running = new RunningTask(task) { TaskRoleArn = request.Overrides?.TaskRoleArn ?? definition.TaskRoleArn };
        _tasks[taskArn] = running;
        _tags[taskArn] = [.. request.Tags ?? []];
        var command = overrides?.Command ?? container.Command ?? [];
        var environment = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var pair in (container.Environment ?? []).Concat(overrides?.Environment ?? []))
        {
            if (pair.Name is { } name)
            {
                environment[name] = pair.Value ?? string.Empty;
            }
        }

        running.Done = RunAsync(running, container.Image ?? string.Empty, command, environment, fault);
        return task;
    }

    private async Task RunAsync(RunningTask running, string image, List<string> command, Dictionary<string, string> environment, EcsFault? fault)
    {
        await Task.Yield();
        Update(running, t => t with { LastStatus = "PENDING", PullStartedAt = time.GetUtcNow() });
        var entry = ResolveImage(image);
        if (fault is EcsFault.CannotPullContainer or EcsFault.ResourceInitialization || entry is null)
        {
            var reason = fault == EcsFault.ResourceInitialization
                ? "ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: unable to retrieve secret from asm: service call has been retried 1 time(s): failed to fetch secret"
                : $"CannotPullContainerError: pull image manifest has been retried 1 time(s): failed to resolve ref {image}: not found";
            Finish(running, "TaskFailedToStart", reason, exitCode: null, containerReason: null);
            return;
        }

        environment["ECS_TASK_ARN"] = running.Task.TaskArn!;
        environment.TryAdd("AWS_REGION", account.Region);
        // The task role's own keys, as ECS hands a task its role's credentials (the sandbox checks signatures made with them
        // and what the role may do); a task definition without a task role gets the sandbox's worker keys.
        var (keyId, secret) = running.TaskRoleArn is { } role && TaskRoleCredentials is { } issue
            ? issue(role, running.Task.TaskArn!)
            : (Hosting.SandboxCredentials.WorkerAccessKeyId, Hosting.SandboxCredentials.WorkerSecretAccessKey);
        environment.TryAdd("AWS_ACCESS_KEY_ID", keyId);
        environment.TryAdd("AWS_SECRET_ACCESS_KEY", secret);
        if (Endpoint is { } endpoint)
        {
            environment["AWS_ENDPOINT_URL"] = endpoint.ToString().TrimEnd('/');
        }

        var process = LocalProcess.Start([.. entry, .. command], environment);
        running.Process = process;
        Update(running, t => t with
        {
            LastStatus = "RUNNING",
            PullStoppedAt = time.GetUtcNow(),
            StartedAt = time.GetUtcNow(),
            Containers = [.. t.Containers!.Select(c => c with { LastStatus = "RUNNING", RuntimeId = process.GetHashCode().ToString(System.Globalization.CultureInfo.InvariantCulture) })],
        });

        if (fault is EcsFault.OutOfMemory or EcsFault.SpotInterruption)
        {
            running.StopReason = fault == EcsFault.SpotInterruption ? "Your Spot Task was interrupted." : null;
            await process.StopAsync(TimeSpan.FromMilliseconds(fault == EcsFault.OutOfMemory ? 1 : 2000), time).ConfigureAwait(false);
        }

        var exitCode = await process.Exited.ConfigureAwait(false);
        if (fault == EcsFault.OutOfMemory)
        {
            Finish(running, "EssentialContainerExited", "Essential container in task exited", 137, "OutOfMemoryError: Container killed due to memory usage");
        }
        else if (fault == EcsFault.SpotInterruption)
        {
            Finish(running, "SpotInterruption", "Your Spot Task was interrupted.", exitCode, null);
        }
        else if (running.StopReason is { } reason)
        {
            Finish(running, "UserInitiated", reason, exitCode, null);
        }
        else
        {
            Finish(running, "EssentialContainerExited", "Essential container in task exited", exitCode, null);
        }
    }

    private void Finish(RunningTask running, string stopCode, string stoppedReason, int? exitCode, string? containerReason)
    {
        var now = time.GetUtcNow();
        Update(running, t => t with
        {
            LastStatus = "DEPROVISIONING",
            DesiredStatus = "STOPPED",
            StopCode = stopCode,
            StoppedReason = stoppedReason,
            StoppingAt = t.StoppingAt ?? now,
            ExecutionStoppedAt = now,
            Containers = [.. t.Containers!.Select(c => c with { LastStatus = "STOPPED", ExitCode = exitCode, Reason = containerReason })],
        });
        Update(running, t => t with { LastStatus = "STOPPED", StoppedAt = time.GetUtcNow() });
        running.Stopped.TrySetResult();
    }

    private static void Update(RunningTask running, Func<EcsTask, EcsTask> change)
    {
        lock (running)
        {
            running.Task = change(running.Task) with { Version = (running.Task.Version ?? 0) + 1 };
        }
    }

    private string[]? ResolveImage(string image)
    {
        if (options.Images.TryGetValue(image, out var exact))
        {
            return exact;
        }

        // "batchops-worker" matches any tag; '*' matches anything, e.g. "*/batchops-worker" for ECR image URIs.
        var repository = image.Split('@')[0];
        repository = repository.LastIndexOf(':') > repository.LastIndexOf('/') ? repository[..repository.LastIndexOf(':')] : repository;
        return options.Images
            .Where(p => System.Text.RegularExpressions.Regex.IsMatch(repository, "^" + System.Text.RegularExpressions.Regex.Escape(p.Key).Replace("\\*", ".*", StringComparison.Ordinal) + "$", System.Text.RegularExpressions.RegexOptions.None, TimeSpan.FromSeconds(1)))
            .Select(p => p.Value).FirstOrDefault();
    }

    private void Expire()
    {
        var cutoff = time.GetUtcNow() - options.StoppedTaskRetention;
        foreach (var (arn, running) in _tasks)
        {
            if (running.Task.StoppedAt is { } stopped && stopped < cutoff)
            {
                _tasks.TryRemove(arn, out _);
                _tags.TryRemove(arn, out _);
                running.Process?.Dispose();
            }
        }
    }

    private static ContainerDefinition EssentialContainer(TaskDefinition definition) =>
        definition.ContainerDefinitions!.FirstOrDefault(c => c.Essential != false) ?? definition.ContainerDefinitions![0];

    /// <summary>The ARN a cluster name or ARN stands for (the default cluster when null), known or not: what IAM checks as ecs:cluster.</summary>
    public string ClusterArnOf(string? nameOrArn) => $"arn:aws:ecs:{account.Region}:{account.Id}:cluster/{ClusterName(nameOrArn)}";

    /// <summary>The task definition a reference (ARN, family or family:revision) names, or null when none (the call itself then fails as ECS fails it).</summary>
    public TaskDefinition? FindDefinition(string? reference)
    {
        try
        {
            return reference is null ? null : Definition(reference);
        }
        catch (SandboxErrorException)
        {
            return null;
        }
    }

    /// <summary>The task ARN a task ARN or id names (ids need the cluster), as IAM checks it.</summary>
    public string TaskArnOf(string? cluster, string task) =>
        task.StartsWith("arn:", StringComparison.Ordinal) ? task
        : _tasks.Values.FirstOrDefault(r => r.Task.TaskArn!.EndsWith("/" + task, StringComparison.Ordinal))?.Task.TaskArn
            ?? $"arn:aws:ecs:{account.Region}:{account.Id}:task/{ClusterName(cluster)}/{task}";

    private static string ClusterName(string? nameOrArn) => nameOrArn is null ? "default" : nameOrArn.Contains('/', StringComparison.Ordinal) ? nameOrArn[(nameOrArn.LastIndexOf('/') + 1)..] : nameOrArn;

    private Cluster ClusterOf(string? nameOrArn) =>
        _clusters.GetValueOrDefault(ClusterName(nameOrArn)) ?? throw new SandboxErrorException("ClusterNotFoundException", "Cluster not found.");

    private TaskDefinition Definition(string reference)
    {
        var text = reference.Contains("task-definition/", StringComparison.Ordinal) ? reference[(reference.IndexOf("task-definition/", StringComparison.Ordinal) + 16)..] : reference;
        var parts = text.Split(':');
        if (_definitions.TryGetValue(parts[0], out var revisions))
        {
            lock (revisions)
            {
                // A family without a revision means its latest ACTIVE revision, as in ECS.
                var found = parts.Length == 2 && int.TryParse(parts[1], out var revision) ? revisions.ElementAtOrDefault(revision - 1) : revisions.LastOrDefault(d => d.Status == "ACTIVE");
                if (found is not null)
                {
                    return found;
                }
            }
        }

        throw new SandboxErrorException("ClientException", "Unable to describe task definition.");
    }

    private Cluster Describe(Cluster cluster)
    {
        var tasks = _tasks.Values.Select(r => r.Task).Where(t => t.ClusterArn == cluster.ClusterArn).ToList();
        return cluster with
        {
            Tags = _tags.TryGetValue(cluster.ClusterArn!, out var tags) ? [.. tags] : [],
            RunningTasksCount = tasks.Count(t => t.LastStatus == "RUNNING"),
            PendingTasksCount = tasks.Count(t => t.LastStatus is "PROVISIONING" or "PENDING"),
            ActiveServicesCount = 0,
            RegisteredContainerInstancesCount = 0,
        };
    }
}
