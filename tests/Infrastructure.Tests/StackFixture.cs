using System.Text.Json.Nodes;
using Amazon.CDK;
using Amazon.CDK.Assertions;

namespace BatchOps.Infrastructure.Tests;

/// <summary>One synthesis of the stack (jsii starts node once per test run), shared by the template tests.</summary>
public sealed class StackFixture
{
    public StackFixture()
    {
        var app = new App(new AppProps { Outdir = Path.Combine(Path.GetTempPath(), "batchops-cdk-" + Guid.NewGuid().ToString("N")) });
        var stack = BatchOpsStack.Create(app);
        Template = Template.FromStack(stack);
        Json = JsonNode.Parse(System.Text.Json.JsonSerializer.Serialize(Template.ToJSON()))!.AsObject();
    }

    public Template Template { get; }

    public JsonObject Json { get; }

    public IEnumerable<(string Id, JsonObject Resource)> Resources(string type) =>
        Json["Resources"]!.AsObject().Where(r => r.Value!["Type"]!.GetValue<string>() == type).Select(r => (r.Key, r.Value!.AsObject()));

    /// <summary>A state machine's definition with the substitutions left as ${Name}.</summary>
    public JsonObject Definition(string name)
    {
        var machine = Resources("AWS::StepFunctions::StateMachine").Single(r => r.Resource["Properties"]!["StateMachineName"]!.GetValue<string>() == name).Resource;
        return JsonNode.Parse(machine["Properties"]!["DefinitionString"]!.GetValue<string>())!.AsObject();
    }
}

/// <summary>The jsii runtime behind the CDK serves one caller at a time: every class that synthesizes runs in this collection.</summary>
[CollectionDefinition(Name)]
public sealed class JsiiCollection
{
    public const string Name = "jsii";
}
