using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using BatchOps.Aws.StepFunctions;
using BatchOps.Sandbox.Asl;
using BatchOps.Sandbox.Integrations;
using BatchOps.Sandbox.StepFunctions;

// Sandbox throughput: a 20-state Pass/Choice workflow run to completion, many executions at once.
// Prints executions per second and state transitions per second. Usage: [executions] [concurrency]
var executions = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 5000;
var concurrency = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 64;

var states = new JsonObject();
for (var i = 0; i < 20; i++)
{
    var next = i == 19 ? null : $"S{i + 1}";
    states[$"S{i}"] = i % 2 == 0 || next is null
        ? new JsonObject { ["Type"] = "Pass", ["Parameters"] = new JsonObject { ["n.$"] = "States.MathAdd($.n, 1)", ["tag.$"] = "States.Format('step {}', $.n)" }, ["Next"] = next, ["End"] = next is null ? true : null }
        : new JsonObject
        {
            ["Type"] = "Choice",
            ["Choices"] = new JsonArray(new JsonObject { ["Variable"] = "$.n", ["NumericGreaterThanEquals"] = 0, ["Next"] = next }),
            ["Default"] = next,
        };
}

foreach (var (_, state) in states)
{
    if (state!["End"] is null)
    {
        state.AsObject().Remove("End");
    }
}

var definition = new JsonObject { ["StartAt"] = "S0", ["States"] = states }.ToJsonString();
var time = TimeProvider.System;
var tokens = new TaskTokens();
var sfn = new StepFunctionsSandbox(new Interpreter([new CannedResponses(tokens)], tokens, time, new Random(1)), tokens, time, new SandboxAccount());
var machine = sfn.CreateStateMachine(new() { Name = "bench", Definition = definition, RoleArn = "arn:aws:iam::000000000000:role/bench" }).StateMachineArn;

async Task RunAsync(int count)
{
    using var gate = new SemaphoreSlim(concurrency);
    var runs = Enumerable.Range(0, count).Select(async i =>
    {
        await gate.WaitAsync();
        try
        {
            var arn = sfn.StartExecution(new() { StateMachineArn = machine, Name = $"run-{Guid.NewGuid():N}", Input = """{"n":0}""" }).ExecutionArn;
            await sfn.WhenFinishedAsync(arn, CancellationToken.None);
        }
        finally
        {
            gate.Release();
        }
    });
    await Task.WhenAll(runs);
}

await RunAsync(500); // warm-up: JIT and tiered compilation
var before = GC.GetTotalAllocatedBytes();
var watch = Stopwatch.StartNew();
await RunAsync(executions);
watch.Stop();
var allocated = GC.GetTotalAllocatedBytes() - before;

var transitions = executions * 20.0;
var passes = states.Count(s => s.Value!["Type"]!.GetValue<string>() == "Pass");
Console.WriteLine($"workflow: 20 states ({passes} Pass with intrinsics, {20 - passes} Choice), {executions} executions, concurrency {concurrency}, {Environment.ProcessorCount} cores");
Console.WriteLine($"elapsed: {watch.Elapsed.TotalSeconds:0.00} s");
Console.WriteLine($"executions/s: {executions / watch.Elapsed.TotalSeconds:0}");
Console.WriteLine($"state transitions/s: {transitions / watch.Elapsed.TotalSeconds:0}");
Console.WriteLine($"allocated per execution: {allocated / executions / 1024.0:0.0} KiB");
var sample = sfn.ListExecutions(new() { StateMachineArn = machine, MaxResults = 1 }).Executions[0];
Console.WriteLine($"sample execution status: {sample.Status}");
return sample.Status == ExecutionStatus.SUCCEEDED ? 0 : 1;
