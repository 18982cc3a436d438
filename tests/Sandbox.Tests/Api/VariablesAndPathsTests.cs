using System.Text.Json.Nodes;
using BatchOps.Aws.StepFunctions;
using BatchOps.Sandbox.Hosting;
using BatchOps.Sandbox.Http;
using BatchOps.Sandbox.Integrations;
using BatchOps.TestSupport;

namespace BatchOps.Sandbox.Tests.Api;

/// <summary>
/// Variables (Assign, $name), the JSONPath the interpreter accepts, and what CreateStateMachine refuses, through the
/// sandbox's API. The recorded executions (Conformance) pin AWS's exact events; these pin the rules around them.
/// </summary>
public sealed class VariablesAndPathsTests : IAsyncLifetime
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

    private async Task<(DescribeExecutionResponse Described, List<HistoryEvent> Events)> RunAsync(string name, string definition, string input = "{}")
    {
        var machine = (await _sfn.CreateStateMachineAsync(new() { Name = name, Definition = definition, RoleArn = Role })).StateMachineArn;
        var started = await _sfn.StartExecutionAsync(new() { StateMachineArn = machine, Input = input });
        await _server.StepFunctions.WhenIdleAsync();
        var described = await _sfn.DescribeExecutionAsync(new() { ExecutionArn = started.ExecutionArn });
        return (described, (await _sfn.GetExecutionHistoryAsync(new() { ExecutionArn = started.ExecutionArn })).Events);
    }

    [Fact]
    public async Task What_a_map_iteration_assigns_stays_in_the_iteration_while_it_reads_the_variables_outside()
    {
        var (described, events) = await RunAsync("scopes", """
            {"StartAt":"Set","States":{
              "Set":{"Type":"Pass","Assign":{"outer":"kept","items":[1,2]},"Next":"Each"},
              "Each":{"Type":"Map","ItemsPath":"$items","ItemProcessor":{"StartAt":"Inner","States":{
                "Inner":{"Type":"Pass","Assign":{"outer":"changed inside"},"Parameters":{"seen.$":"$outer","item.$":"$"},"End":true}}},
                "Next":"After"},
              "After":{"Type":"Pass","Parameters":{"outer.$":"$outer","results.$":"$"},"End":true}}}
            """);

        Assert.Equal(ExecutionStatus.SUCCEEDED, described.Status);
        var output = JsonNode.Parse(described.Output!)!;
        Assert.Equal("kept", output["outer"]!.GetValue<string>());
        Assert.Equal("""[{"seen":"kept","item":1},{"seen":"kept","item":2}]""", output["results"]!.ToJsonString());
        var assigned = events.First(e => e.StateExitedEventDetails?.Name == "Set").StateExitedEventDetails!.AssignedVariables!;
        Assert.Equal("\"kept\"", assigned["outer"]);
        Assert.Equal("[1,2]", assigned["items"]);
    }

    [Fact]
    public async Task Every_assign_expression_reads_the_variables_as_they_were_before_the_state()
    {
        var (described, _) = await RunAsync("order", """
            {"StartAt":"One","States":{
              "One":{"Type":"Pass","Assign":{"a":1,"b":2},"Next":"Swap"},
              "Swap":{"Type":"Pass","Assign":{"a.$":"$b","b.$":"$a"},"Next":"Show"},
              "Show":{"Type":"Pass","Parameters":{"a.$":"$a","b.$":"$b"},"End":true}}}
            """);

        Assert.Equal("""{"a":2,"b":1}""", described.Output);
    }

    [Fact]
    public async Task A_reference_to_an_undefined_variable_fails_the_state_with_states_runtime_naming_it()
    {
        var (described, _) = await RunAsync("undefined", """
            {"StartAt":"Use","States":{"Use":{"Type":"Pass","Parameters":{"x.$":"$nowhere.field"},"End":true}}}
            """);

        Assert.Equal(ExecutionStatus.FAILED, described.Status);
        Assert.Equal("States.Runtime", described.Error);
        Assert.Contains("'nowhere' is not defined", described.Cause, StringComparison.Ordinal);
        Assert.StartsWith("An error occurred while executing the state 'Use' (entered at the event id #2).", described.Cause, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_catch_assigns_from_the_error_output_and_the_failed_states_own_assign_does_not_apply()
    {
        _server.CannedResponses.Enqueue("Call", new CannedResponse(Error: "Lambda.ServiceException", Cause: "boom"));
        var (described, events) = await RunAsync("caught", """
            {"StartAt":"Call","States":{
              "Call":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","Assign":{"outcome":"ok"},
                "Catch":[{"ErrorEquals":["States.ALL"],"Assign":{"outcome":"failed","why.$":"$.Cause"},"ResultPath":null,"Next":"Report"}],"End":true},
              "Report":{"Type":"Pass","Parameters":{"outcome.$":"$outcome","why.$":"$why"},"End":true}}}
            """);

        Assert.Equal("""{"outcome":"failed","why":"boom"}""", described.Output);
        Assert.Equal("\"failed\"", events.First(e => e.Type == "TaskStateExited").StateExitedEventDetails!.AssignedVariables!["outcome"]);
    }

    [Fact]
    public async Task Redrive_resumes_with_the_variables_assigned_before_the_failure()
    {
        _server.CannedResponses.Enqueue("Export", new CannedResponse(Error: "Lambda.ServiceException", Cause: "boom"));
        _server.CannedResponses.Enqueue("Export", new CannedResponse(Return: JsonNode.Parse("""{"exported":true}""")));
        var machine = (await _sfn.CreateStateMachineAsync(new()
        {
            Name = "redrive-variables",
            RoleArn = Role,
            Definition = """
                {"StartAt":"Remember","States":{
                  "Remember":{"Type":"Pass","Assign":{"batch":"2026-11-23"},"Next":"Export"},
                  "Export":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","Parameters":{"batch.$":"$batch"},"ResultSelector":{"batch.$":"$batch"},"End":true}}}
                """,
        })).StateMachineArn;
        var started = await _sfn.StartExecutionAsync(new() { StateMachineArn = machine });
        await _server.StepFunctions.WhenIdleAsync();

        await _sfn.RedriveExecutionAsync(new() { ExecutionArn = started.ExecutionArn });
        await _server.StepFunctions.WhenIdleAsync();

        var described = await _sfn.DescribeExecutionAsync(new() { ExecutionArn = started.ExecutionArn });
        Assert.Equal(ExecutionStatus.SUCCEEDED, described.Status);
        Assert.Equal("""{"batch":"2026-11-23"}""", described.Output);
    }

    [Theory]
    [InlineData("$.items[?(@.price < 10)].name", """["pen","ink"]""")]
    [InlineData("$.items[?(@.price < 10 && @.tag == 'office')].name", """["pen"]""")]
    [InlineData("$.items[?(@.tag)].name", """["pen","ink"]""")]
    [InlineData("$.items[?(!(@.price < 10))].name", """["desk"]""")]
    [InlineData("$..name", """["pen","ink","desk"]""")]
    [InlineData("$.items[0,2].name", """["pen","desk"]""")]
    [InlineData("$.items[-1].name", "\"desk\"")]
    public async Task Paths_select_with_filters_descent_unions_and_negative_indexes(string path, string expected)
    {
        var (described, _) = await RunAsync("paths-" + Math.Abs(path.GetHashCode(StringComparison.Ordinal)), """
            {"StartAt":"Pick","States":{"Pick":{"Type":"Pass","Parameters":{"picked.$":"PATH"},"End":true}}}
            """.Replace("PATH", path, StringComparison.Ordinal), """{"items":[{"name":"pen","price":2,"tag":"office"},{"name":"ink","price":5,"tag":"art"},{"name":"desk","price":120}]}""");

        Assert.Equal(ExecutionStatus.SUCCEEDED, described.Status);
        Assert.Equal(expected, JsonNode.Parse(described.Output!)!["picked"]!.ToJsonString());
    }

    [Theory]
    [InlineData("""{"StartAt":"T","States":{"T":{"Type":"Task","End":true}}}""", "These fields are required: [Resource]")]
    [InlineData("""{"StartAt":"C","States":{"C":{"Type":"Choice","Choices":[{"Variable":"$.x","IsPresent":true}]}}}""", "[Next] in a Choice rule")]
    [InlineData("""{"StartAt":"M","States":{"M":{"Type":"Map","End":true}}}""", "[ItemProcessor]")]
    [InlineData("""{"StartAt":"P","States":{"P":{"Type":"Pass","Next":"Nowhere"}}}""", "Missing 'Next' target: Nowhere")]
    [InlineData("""{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"r","Retry":[{"MaxAttempts":2}],"End":true}}}""", "[ErrorEquals]")]
    public async Task Create_refuses_a_definition_the_interpreter_could_not_run_and_says_what_is_wrong(string definition, string problem)
    {
        var refused = await Assert.ThrowsAsync<InvalidDefinitionException>(() => _sfn.CreateStateMachineAsync(new() { Name = "bad", Definition = definition, RoleArn = Role }));

        Assert.Contains(problem, refused.ErrorMessage, StringComparison.Ordinal);
    }
}
