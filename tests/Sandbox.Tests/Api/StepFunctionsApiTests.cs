using System.Text.Json.Nodes;
using BatchOps.Aws.Runtime;
using BatchOps.Aws.StepFunctions;
using BatchOps.Sandbox.Hosting;
using BatchOps.Sandbox.Http;
using BatchOps.Sandbox.Integrations;
using BatchOps.TestSupport;

namespace BatchOps.Sandbox.Tests.Api;

/// <summary>The sandbox's Step Functions API, called over HTTP with our real client (src/Aws).</summary>
public sealed class StepFunctionsApiTests : IAsyncLifetime
{
    private const string Role = "arn:aws:iam::000000000000:role/sandbox";
    private SandboxServer _server = null!;
    private IAmazonStepFunctions _sfn = null!;

    public async Task InitializeAsync()
    {
        _server = await SandboxServer.StartAsync("http://127.0.0.1:0", new ScaledTimeProvider(100));
        _sfn = new TestClients(_server.Endpoint).StepFunctions;
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private async Task<string> CreateAsync(string name, string definition) =>
        (await _sfn.CreateStateMachineAsync(new() { Name = name, Definition = definition, RoleArn = Role })).StateMachineArn;

    private async Task<DescribeExecutionResponse> FinishedAsync(string executionArn)
    {
        await _server.StepFunctions.WhenIdleAsync();
        return await _sfn.DescribeExecutionAsync(new() { ExecutionArn = executionArn });
    }

    private const string TwoPasses = """
        {"StartAt":"Prepare","States":{
          "Prepare":{"Type":"Pass","Parameters":{"date.$":"$.date","greeting.$":"States.Format('run {}', $.date)"},"Next":"Done"},
          "Done":{"Type":"Succeed"}}}
        """;

    [Fact]
    public async Task An_execution_runs_to_success_with_the_output_and_an_aws_shaped_history()
    {
        var machine = await CreateAsync("two-passes", TwoPasses);

        var started = await _sfn.StartExecutionAsync(new() { StateMachineArn = machine, Name = "run-1", Input = """{"date":"2026-11-21"}""" });
        var described = await FinishedAsync(started.ExecutionArn);

        Assert.Equal(ExecutionStatus.SUCCEEDED, described.Status);
        Assert.Equal("run 2026-11-21", JsonNode.Parse(described.Output!)!["greeting"]!.GetValue<string>());
        var history = await _sfn.GetExecutionHistoryAsync(new() { ExecutionArn = started.ExecutionArn });
        Assert.Equal(
            ["ExecutionStarted", "PassStateEntered", "PassStateExited", "SucceedStateEntered", "SucceedStateExited", "ExecutionSucceeded"],
            history.Events.Select(e => e.Type));
        Assert.Equal([0L, 0, 2, 3, 4, 5], history.Events.Select(e => e.PreviousEventId ?? -1));
    }

    [Fact]
    public async Task A_history_without_execution_data_leaves_out_inputs_and_outputs_only_and_pages_newest_first()
    {
        var machine = await CreateAsync("two-passes", TwoPasses);
        var started = await _sfn.StartExecutionAsync(new() { StateMachineArn = machine, Name = "run-1", Input = """{"date":"2026-11-21"}""" });
        await FinishedAsync(started.ExecutionArn);

        var full = (await _sfn.GetExecutionHistoryAsync(new() { ExecutionArn = started.ExecutionArn })).Events;
        var newest = await _sfn.GetExecutionHistoryAsync(new() { ExecutionArn = started.ExecutionArn, ReverseOrder = true, IncludeExecutionData = false, MaxResults = 4 });
        var rest = await _sfn.GetExecutionHistoryAsync(new() { ExecutionArn = started.ExecutionArn, ReverseOrder = true, IncludeExecutionData = false, MaxResults = 4, NextToken = newest.NextToken });

        var bare = newest.Events.Concat(rest.Events).ToList();
        Assert.Null(rest.NextToken);
        Assert.Equal(full.Select(e => e.Id).Reverse(), bare.Select(e => e.Id));
        Assert.Equal(full.Select(e => (e.Type, e.Timestamp, e.StateEnteredEventDetails?.Name)).Reverse(), bare.Select(e => (e.Type, e.Timestamp, e.StateEnteredEventDetails?.Name)));
        Assert.NotNull(full[0].ExecutionStartedEventDetails!.Input);
        Assert.NotNull(full[^1].ExecutionSucceededEventDetails!.Output);
        var started0 = bare[^1].ExecutionStartedEventDetails!;
        Assert.Null(started0.Input);
        Assert.Equal(full[0].ExecutionStartedEventDetails!.RoleArn, started0.RoleArn);
        Assert.Null(bare[0].ExecutionSucceededEventDetails!.Output);
        Assert.All(bare.Where(e => e.StateEnteredEventDetails is not null), e => Assert.Null(e.StateEnteredEventDetails!.Input));
    }

    [Fact]
    public async Task Nested_intrinsics_pass_numbers_to_each_other_and_to_wait_seconds_path()
    {
        // States.MathAdd's result feeds States.ArrayGetItem without a round trip through JSON text (batch-job's backoff).
        var machine = await CreateAsync("backoff", """
            {"StartAt":"Pick","States":{
              "Pick":{"Type":"Pass","Parameters":{"delay.$":"States.ArrayGetItem(States.Array(0, 1, 2), States.MathAdd($.attempt, -1))"},"Next":"Wait"},
              "Wait":{"Type":"Wait","SecondsPath":"$.delay","End":true}}}
            """);

        var started = await _sfn.StartExecutionAsync(new() { StateMachineArn = machine, Input = """{"attempt":1}""" });
        var described = await FinishedAsync(started.ExecutionArn);

        Assert.Equal(ExecutionStatus.SUCCEEDED, described.Status);
        Assert.Equal(0, JsonNode.Parse(described.Output!)!["delay"]!.GetValue<int>());
    }

    [Fact]
    public async Task Starting_the_same_name_twice_is_idempotent_with_the_same_input_and_an_error_otherwise()
    {
        var machine = await CreateAsync("waits", """{"StartAt":"W","States":{"W":{"Type":"Wait","Seconds":36000,"End":true}}}""");
        var first = await _sfn.StartExecutionAsync(new() { StateMachineArn = machine, Name = "nightly-2026-11-21", Input = "{}" });

        var again = await _sfn.StartExecutionAsync(new() { StateMachineArn = machine, Name = "nightly-2026-11-21", Input = "{}" });
        var conflict = await Assert.ThrowsAsync<ExecutionAlreadyExistsException>(() => _sfn.StartExecutionAsync(new() { StateMachineArn = machine, Name = "nightly-2026-11-21", Input = """{"x":1}""" }));

        Assert.Equal(first.ExecutionArn, again.ExecutionArn);
        Assert.Contains("Execution Already Exists", conflict.ErrorMessage, StringComparison.Ordinal);
        await _sfn.StopExecutionAsync(new() { ExecutionArn = first.ExecutionArn });
    }

    [Fact]
    public async Task Bad_input_gets_the_services_error_codes()
    {
        var machine = await CreateAsync("valid", TwoPasses);

        await Assert.ThrowsAsync<InvalidDefinitionException>(() => CreateAsync("broken", """{"StartAt":"Nowhere","States":{"A":{"Type":"Pass","Next":"Missing"}}}"""));
        await Assert.ThrowsAsync<InvalidNameException>(() => CreateAsync("has spaces", TwoPasses));
        await Assert.ThrowsAsync<InvalidExecutionInputException>(() => _sfn.StartExecutionAsync(new() { StateMachineArn = machine, Input = "{not json" }));
        await Assert.ThrowsAsync<StateMachineDoesNotExistException>(() => _sfn.StartExecutionAsync(new() { StateMachineArn = machine + "-gone" }));
        await Assert.ThrowsAsync<ExecutionDoesNotExistException>(() => _sfn.DescribeExecutionAsync(new() { ExecutionArn = "arn:aws:states:us-east-1:000000000000:execution:valid:nope" }));
        await Assert.ThrowsAsync<InvalidArnException>(() => _sfn.DescribeExecutionAsync(new() { ExecutionArn = "not-an-arn" }));
        await Assert.ThrowsAsync<TaskDoesNotExistException>(() => _sfn.SendTaskSuccessAsync(new() { TaskToken = "AQCunknown", Output = "{}" }));
    }

    [Fact]
    public async Task Stop_aborts_a_running_execution()
    {
        var machine = await CreateAsync("long-wait", """{"StartAt":"W","States":{"W":{"Type":"Wait","Seconds":3600,"End":true}}}""");
        var started = await _sfn.StartExecutionAsync(new() { StateMachineArn = machine, Input = "{}" });

        await _sfn.StopExecutionAsync(new() { ExecutionArn = started.ExecutionArn, Error = "Operator", Cause = "stopped from the dashboard" });
        var described = await FinishedAsync(started.ExecutionArn);

        Assert.Equal(ExecutionStatus.ABORTED, described.Status);
        var history = await _sfn.GetExecutionHistoryAsync(new() { ExecutionArn = started.ExecutionArn });
        Assert.Equal("ExecutionAborted", history.Events[^1].Type);
        Assert.Equal("Operator", history.Events[^1].ExecutionAbortedEventDetails!.Error);
    }

    [Fact]
    public async Task Redrive_resumes_from_the_failed_state_with_its_input_and_is_idempotent_per_client_token()
    {
        var machine = await CreateAsync("flaky", """
            {"StartAt":"First","States":{
              "First":{"Type":"Pass","Result":{"step":1},"ResultPath":"$.first","Next":"Export"},
              "Export":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","End":true}}}
            """);
        _server.CannedResponses.Enqueue("Export", new CannedResponse(Error: "Lambda.ServiceException", Cause: "boom"));
        _server.CannedResponses.Enqueue("Export", new CannedResponse(Return: JsonNode.Parse("""{"exported":42}""")));
        var started = await _sfn.StartExecutionAsync(new() { StateMachineArn = machine, Input = """{"date":"2026-11-21"}""" });
        var failed = await FinishedAsync(started.ExecutionArn);
        Assert.Equal(ExecutionStatus.FAILED, failed.Status);
        Assert.Equal("REDRIVABLE", failed.RedriveStatus);

        var redriven = await _sfn.RedriveExecutionAsync(new() { ExecutionArn = started.ExecutionArn, ClientToken = "redrive-1" });
        var repeat = await _sfn.RedriveExecutionAsync(new() { ExecutionArn = started.ExecutionArn, ClientToken = "redrive-1" });
        var described = await FinishedAsync(started.ExecutionArn);

        Assert.Equal(redriven.RedriveDate, repeat.RedriveDate);
        Assert.Equal(ExecutionStatus.SUCCEEDED, described.Status);
        Assert.Equal(1, described.RedriveCount);
        var events = (await _sfn.GetExecutionHistoryAsync(new() { ExecutionArn = started.ExecutionArn })).Events;
        var redriveAt = events.FindIndex(e => e.Type == "ExecutionRedriven");
        Assert.Equal(1, events[redriveAt].ExecutionRedrivenEventDetails!.RedriveCount);
        Assert.DoesNotContain(events.Skip(redriveAt), e => e.StateEnteredEventDetails?.Name == "First");
        Assert.Equal("Export", events[redriveAt + 1].StateEnteredEventDetails!.Name);
        Assert.Equal("""{"date":"2026-11-21","first":{"step":1}}""", events[redriveAt + 1].StateEnteredEventDetails!.Input);
        var notAgain = await Assert.ThrowsAsync<ExecutionNotRedrivableException>(() => _sfn.RedriveExecutionAsync(new() { ExecutionArn = started.ExecutionArn }));
        Assert.Contains("SUCCEEDED", notAgain.ErrorMessage, StringComparison.Ordinal);
        var redrivenOnly = await _sfn.ListExecutionsAsync(new() { StateMachineArn = machine, RedriveFilter = ExecutionRedriveFilter.REDRIVEN });
        Assert.Single(redrivenOnly.Executions);
    }

    [Fact]
    public async Task Redrive_reruns_only_the_parallel_branches_that_failed()
    {
        var machine = await CreateAsync("branches", """
            {"StartAt":"Both","States":{"Both":{"Type":"Parallel","End":true,"Branches":[
              {"StartAt":"A","States":{"A":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","End":true}}},
              {"StartAt":"B","States":{"B":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","End":true}}}]}}}
            """);
        _server.CannedResponses.Enqueue("A", new CannedResponse(Return: JsonNode.Parse("""{"a":1}""")));
        _server.CannedResponses.Enqueue("B", new CannedResponse(Error: "Lambda.ServiceException", Cause: "down"));
        _server.CannedResponses.Enqueue("B", new CannedResponse(Return: JsonNode.Parse("""{"b":2}""")));
        var started = await _sfn.StartExecutionAsync(new() { StateMachineArn = machine, Input = "{}" });
        Assert.Equal(ExecutionStatus.FAILED, (await FinishedAsync(started.ExecutionArn)).Status);

        await _sfn.RedriveExecutionAsync(new() { ExecutionArn = started.ExecutionArn });
        var described = await FinishedAsync(started.ExecutionArn);

        Assert.Equal(ExecutionStatus.SUCCEEDED, described.Status);
        Assert.Equal("""[{"a":1},{"b":2}]""", described.Output);
        var events = (await _sfn.GetExecutionHistoryAsync(new() { ExecutionArn = started.ExecutionArn })).Events;
        var afterRedrive = events.SkipWhile(e => e.Type != "ExecutionRedriven").ToList();
        Assert.Equal(["B"], afterRedrive.Where(e => e.Type == "TaskStateEntered").Select(e => e.StateEnteredEventDetails!.Name));
    }

    [Fact]
    public async Task Redrive_reruns_only_the_map_iterations_that_did_not_succeed()
    {
        var machine = await CreateAsync("items", """
            {"StartAt":"Each","States":{"Each":{"Type":"Map","MaxConcurrency":1,"End":true,
              "ItemProcessor":{"StartAt":"Work","States":{"Work":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","End":true}}}}}}
            """);
        _server.CannedResponses.Enqueue("Work", new CannedResponse(Return: JsonNode.Parse("1")));
        _server.CannedResponses.Enqueue("Work", new CannedResponse(Error: "Lambda.ServiceException", Cause: "down"));
        _server.CannedResponses.Enqueue("Work", new CannedResponse(Return: JsonNode.Parse("2")));
        _server.CannedResponses.Enqueue("Work", new CannedResponse(Return: JsonNode.Parse("3")));
        var started = await _sfn.StartExecutionAsync(new() { StateMachineArn = machine, Input = "[10,20,30]" });
        Assert.Equal(ExecutionStatus.FAILED, (await FinishedAsync(started.ExecutionArn)).Status);

        await _sfn.RedriveExecutionAsync(new() { ExecutionArn = started.ExecutionArn });
        var described = await FinishedAsync(started.ExecutionArn);

        Assert.Equal(ExecutionStatus.SUCCEEDED, described.Status);
        Assert.Equal("[1,2,3]", described.Output);
        var events = (await _sfn.GetExecutionHistoryAsync(new() { ExecutionArn = started.ExecutionArn })).Events;
        var rerun = events.SkipWhile(e => e.Type != "ExecutionRedriven").Where(e => e.Type == "MapIterationStarted").Select(e => e.MapIterationStartedEventDetails!.Index);
        Assert.DoesNotContain(0, rerun);
    }

    [Fact]
    public async Task A_task_token_callback_completes_the_waiting_state()
    {
        var machine = await CreateAsync("callback", """
            {"StartAt":"Wait for worker","States":{"Wait for worker":{"Type":"Task","Resource":"arn:aws:states:::sqs:sendMessage.waitForTaskToken",
              "Parameters":{"MessageBody":{"token.$":"$$.Task.Token"}},"HeartbeatSeconds":600,"End":true}}}
            """);
        _server.CannedResponses.Enqueue("Wait for worker", new CannedResponse(Submitted: JsonNode.Parse("""{"MessageId":"m-1"}"""), Hang: true));
        var started = await _sfn.StartExecutionAsync(new() { StateMachineArn = machine, Input = "{}" });

        var token = await Eventually.NotNullAsync("the task token in the TaskScheduled event", async () =>
        {
            var events = (await _sfn.GetExecutionHistoryAsync(new() { ExecutionArn = started.ExecutionArn })).Events;
            return events.FirstOrDefault(e => e.Type == "TaskScheduled")?.TaskScheduledEventDetails!.Parameters is { } p ? JsonNode.Parse(p)!["MessageBody"]!["token"]!.GetValue<string>() : null;
        });

        await _sfn.SendTaskHeartbeatAsync(new() { TaskToken = token });
        await _sfn.SendTaskSuccessAsync(new() { TaskToken = token, Output = """{"rows":7}""" });
        var described = await FinishedAsync(started.ExecutionArn);

        Assert.Equal(ExecutionStatus.SUCCEEDED, described.Status);
        Assert.Equal("""{"rows":7}""", described.Output);
    }

    [Theory]
    [InlineData("arn:aws:states:::sns:publish.waitForTaskToken", "Message", "00000000-0000-0000-0000-000000000000")]
    [InlineData("arn:aws:states:::aws-sdk:sqs:sendMessage.waitForTaskToken", "MessageBody", "00000000-0000-0000-0000-000000000001")]
    public async Task A_notify_and_wait_task_on_a_service_the_sandbox_does_not_emulate_waits_for_the_callback(string resource, string bodyField, string messageId)
    {
        var machine = await CreateAsync("ask-a-human-" + bodyField.ToLowerInvariant(),
            new JsonObject
            {
                ["StartAt"] = "Ask",
                ["States"] = new JsonObject
                {
                    ["Ask"] = new JsonObject
                    {
                        ["Type"] = "Task",
                        ["Resource"] = resource,
                        ["Parameters"] = new JsonObject { [bodyField] = new JsonObject { ["token.$"] = "$$.Task.Token", ["question"] = "approve the backfill?" } },
                        ["End"] = true,
                    },
                },
            }.ToJsonString());
        var started = await _sfn.StartExecutionAsync(new() { StateMachineArn = machine, Input = "{}" });

        // The message "went out": its consumer gets the token from it, as from a real topic or queue.
        var call = await Eventually.NotNullAsync("the canned call of Ask", () => Task.FromResult(_server.CannedResponses.Calls.FirstOrDefault(c => c.ExecutionArn == started.ExecutionArn)));
        var token = call.Parameters![bodyField]!["token"]!.GetValue<string>();
        Assert.Equal(call.TaskToken, token);
        var submitted = await Eventually.NotNullAsync("the TaskSubmitted event", async () =>
            (await _sfn.GetExecutionHistoryAsync(new() { ExecutionArn = started.ExecutionArn })).Events.FirstOrDefault(e => e.Type == "TaskSubmitted"));
        Assert.Equal(messageId, JsonNode.Parse(submitted.TaskSubmittedEventDetails!.Output!)!["MessageId"]!.GetValue<string>());
        // Nothing answers on its own: still waiting well past the call (50 s of sandbox time).
        await Task.Delay(500);
        Assert.Equal(ExecutionStatus.RUNNING, (await _sfn.DescribeExecutionAsync(new() { ExecutionArn = started.ExecutionArn })).Status);

        await _sfn.SendTaskSuccessAsync(new() { TaskToken = token, Output = """{"approved":true}""" });
        var described = await FinishedAsync(started.ExecutionArn);

        Assert.Equal(ExecutionStatus.SUCCEEDED, described.Status);
        Assert.Equal("""{"approved":true}""", described.Output);
    }

    [Fact]
    public async Task A_notify_and_wait_task_without_a_heartbeat_in_time_fails_with_states_timeout()
    {
        var machine = await CreateAsync("ask-and-forget", """
            {"StartAt":"Ask","States":{"Ask":{"Type":"Task","Resource":"arn:aws:states:::sns:publish.waitForTaskToken",
              "Parameters":{"Message":{"token.$":"$$.Task.Token"}},"HeartbeatSeconds":60,"End":true}}}
            """);
        var started = await _sfn.StartExecutionAsync(new() { StateMachineArn = machine, Input = "{}" });

        var described = await FinishedAsync(started.ExecutionArn);

        Assert.Equal((ExecutionStatus.FAILED, "States.Timeout"), (described.Status, described.Error));
        var events = (await _sfn.GetExecutionHistoryAsync(new() { ExecutionArn = started.ExecutionArn })).Events.Select(e => e.Type).ToList();
        Assert.Equal(["TaskScheduled", "TaskStarted", "TaskSubmitted", "TaskTimedOut"], events.Where(e => e.StartsWith("Task", StringComparison.Ordinal) && e != "TaskStateEntered" && e != "TaskStateExited"));
    }

    [Fact]
    public async Task An_updated_definition_runs_for_new_executions_the_running_one_keeps_its_own_and_cannot_be_redriven()
    {
        var machine = await CreateAsync("evolving", """{"StartAt":"Hold","States":{"Hold":{"Type":"Task","Resource":"arn:aws:states:::sqs:sendMessage.waitForTaskToken","Parameters":{"MessageBody":{"t.$":"$$.Task.Token"}},"End":true}}}""");
        var before = (await _sfn.DescribeStateMachineAsync(new() { StateMachineArn = machine })).RevisionId;
        var old = await _sfn.StartExecutionAsync(new() { StateMachineArn = machine, Input = "{}" });
        var call = await Eventually.NotNullAsync("the old execution's message", () => Task.FromResult(_server.CannedResponses.Calls.FirstOrDefault(c => c.ExecutionArn == old.ExecutionArn)));

        var updated = await _sfn.UpdateStateMachineAsync(new() { StateMachineArn = machine, Definition = """{"StartAt":"Done","States":{"Done":{"Type":"Pass","Result":"v2","End":true}}}""" });
        var invalid = await Assert.ThrowsAnyAsync<AwsServiceException>(() => _sfn.UpdateStateMachineAsync(new() { StateMachineArn = machine, Definition = """{"StartAt":"Nowhere","States":{}}""" }));
        var neither = await Assert.ThrowsAnyAsync<AwsServiceException>(() => _sfn.UpdateStateMachineAsync(new() { StateMachineArn = machine }));
        var fresh = await _sfn.StartExecutionAsync(new() { StateMachineArn = machine, Input = "{}" });
        await _sfn.SendTaskFailureAsync(new() { TaskToken = call.TaskToken!, Error = "Review.Rejected" });
        await FinishedAsync(fresh.ExecutionArn);

        Assert.NotEqual(before, updated.RevisionId);
        Assert.Equal(updated.RevisionId, (await _sfn.DescribeStateMachineAsync(new() { StateMachineArn = machine })).RevisionId);
        Assert.Equal(("InvalidDefinition", "MissingRequiredParameter"), (invalid.ErrorCode, neither.ErrorCode));
        Assert.Equal("\"v2\"", (await _sfn.DescribeExecutionAsync(new() { ExecutionArn = fresh.ExecutionArn })).Output);
        Assert.Contains("sqs:sendMessage", (await _sfn.DescribeStateMachineForExecutionAsync(new() { ExecutionArn = old.ExecutionArn })).Definition, StringComparison.Ordinal);
        var redrive = await Assert.ThrowsAnyAsync<AwsServiceException>(() => _sfn.RedriveExecutionAsync(new() { ExecutionArn = old.ExecutionArn }));
        Assert.Equal("ExecutionNotRedrivable", redrive.ErrorCode);
    }

    [Fact]
    public async Task Tags_are_added_replaced_and_removed_by_key()
    {
        var machine = await CreateAsync("tagged", TwoPasses);

        await _sfn.TagResourceAsync(new() { ResourceArn = machine, Tags = [new() { Key = "team", Value = "ops" }, new() { Key = "tier", Value = "1" }] });
        await _sfn.TagResourceAsync(new() { ResourceArn = machine, Tags = [new() { Key = "tier", Value = "2" }] });
        await _sfn.UntagResourceAsync(new() { ResourceArn = machine, TagKeys = ["team"] });

        Assert.Equal([("tier", "2")], (await _sfn.ListTagsForResourceAsync(new() { ResourceArn = machine })).Tags!.Select(t => (t.Key, t.Value)));
    }

    [Fact]
    public async Task Listing_pages_with_opaque_tokens_and_filters_by_status()
    {
        var machine = await CreateAsync("many", TwoPasses);
        for (var i = 0; i < 5; i++)
        {
            await _sfn.StartExecutionAsync(new() { StateMachineArn = machine, Name = $"run-{i}", Input = """{"date":"d"}""" });
        }

        await _server.StepFunctions.WhenIdleAsync();
        var names = new List<string>();
        await foreach (var page in _sfn.ListExecutionsPagesAsync(new() { StateMachineArn = machine, MaxResults = 2, StatusFilter = ExecutionStatus.SUCCEEDED }))
        {
            Assert.True(page.Executions.Count <= 2);
            names.AddRange(page.Executions.Select(e => e.Name));
        }

        Assert.Equal(5, names.Distinct().Count());
        Assert.Empty((await _sfn.ListExecutionsAsync(new() { StateMachineArn = machine, StatusFilter = ExecutionStatus.FAILED })).Executions);
    }

    [Fact]
    public async Task A_parent_runs_children_with_startExecution_sync_2_and_fails_when_a_child_fails()
    {
        var child = await CreateAsync("child", """
            {"StartAt":"Check","States":{"Check":{"Type":"Choice","Choices":[{"Variable":"$.ok","BooleanEquals":true,"Next":"Fine"}],"Default":"Broken"},
              "Fine":{"Type":"Pass","Parameters":{"result.$":"$.value"},"End":true},
              "Broken":{"Type":"Fail","Error":"Child.Failed","Cause":"child was told to fail"}}}
            """);
        var parent = await CreateAsync("parent", """
            {"StartAt":"First","States":{
              "First":{"Type":"Task","Resource":"arn:aws:states:::states:startExecution.sync:2","Parameters":{"StateMachineArn":"CHILD","Input":{"ok":true,"value":1}},"ResultSelector":{"out.$":"$.Output"},"ResultPath":"$.first","Next":"Second"},
              "Second":{"Type":"Task","Resource":"arn:aws:states:::states:startExecution.sync:2","Parameters":{"StateMachineArn":"CHILD","Input":{"ok.$":"$.secondOk","value":2}},"End":true}}}
            """.Replace("CHILD", child, StringComparison.Ordinal));

        var good = await _sfn.StartExecutionAsync(new() { StateMachineArn = parent, Input = """{"secondOk":true}""" });
        var bad = await _sfn.StartExecutionAsync(new() { StateMachineArn = parent, Input = """{"secondOk":false}""" });
        var succeeded = await FinishedAsync(good.ExecutionArn);
        var failed = await FinishedAsync(bad.ExecutionArn);

        Assert.Equal(ExecutionStatus.SUCCEEDED, succeeded.Status);
        Assert.Equal(2, JsonNode.Parse(succeeded.Output!)!["Output"]!["result"]!.GetValue<int>());
        Assert.Equal(ExecutionStatus.FAILED, failed.Status);
        Assert.Equal("States.TaskFailed", failed.Error);
        Assert.Equal("Child.Failed", JsonNode.Parse(failed.Cause!)!["Error"]!.GetValue<string>());
        Assert.Equal(4, (await _sfn.ListExecutionsAsync(new() { StateMachineArn = child })).Executions.Count);
    }

    [Fact]
    public async Task Unsigned_requests_are_refused()
    {
        using var http = new HttpClient();
        using var content = new StringContent("{}");
        content.Headers.ContentType = new("application/x-amz-json-1.0");
        using var request = new HttpRequestMessage(HttpMethod.Post, _server.Endpoint) { Content = content };
        request.Headers.Add("X-Amz-Target", "AWSStepFunctions.ListStateMachines");

        using var response = await http.SendAsync(request);

        Assert.Equal(System.Net.HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Contains("MissingAuthenticationToken", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }
}
