using System.Text.Json.Nodes;
using BatchOps.Sandbox.Iam;

namespace BatchOps.Sandbox.Tests.Iam;

public sealed class PolicyEvaluatorTests
{
    private static IReadOnlyList<PolicyStatement> Policy(string json) => PolicyDocument.Parse("test", JsonNode.Parse(json)).Statements;

    private static PolicyDecision Decide(string policy, string action, string resource, Dictionary<string, string>? context = null) =>
        PolicyEvaluator.Evaluate(Policy(policy), new AuthorizationRequest(action, resource, context));

    private const string Machine = "arn:aws:states:us-east-1:000000000000:stateMachine:batch-job";

    [Fact]
    public void Nothing_is_allowed_without_a_statement_that_allows_it()
    {
        Assert.Equal(PolicyDecision.ImplicitDeny, Decide("""{"Statement":[]}""", "states:StartExecution", Machine));
        Assert.Equal(PolicyDecision.ImplicitDeny, Decide($$$"""{"Statement":{"Effect":"Allow","Action":"states:StartExecution","Resource":"{{{Machine}}}-other"}}""", "states:StartExecution", Machine));
    }

    [Fact]
    public void Actions_match_case_insensitively_with_wildcards_and_resources_case_sensitively()
    {
        const string policy = """{"Statement":[{"Effect":"Allow","Action":["states:Describe*","ecs:List?asks"],"Resource":"arn:aws:states:us-east-1:000000000000:execution:batch-job:*"}]}""";
        Assert.Equal(PolicyDecision.Allow, Decide(policy, "STATES:describeexecution", "arn:aws:states:us-east-1:000000000000:execution:batch-job:run-1"));
        Assert.Equal(PolicyDecision.Allow, Decide(policy, "ecs:ListTasks", "arn:aws:states:us-east-1:000000000000:execution:batch-job:a/b:c"));
        Assert.Equal(PolicyDecision.ImplicitDeny, Decide(policy, "states:DescribeExecution", "arn:aws:states:us-east-1:000000000000:execution:Batch-Job:run-1"));
        Assert.Equal(PolicyDecision.ImplicitDeny, Decide(policy, "states:StopExecution", "arn:aws:states:us-east-1:000000000000:execution:batch-job:run-1"));
    }

    [Fact]
    public void An_explicit_deny_wins_over_any_allow()
    {
        var policy = $$"""{"Statement":[{"Effect":"Allow","Action":"states:*","Resource":"*"},{"Effect":"Deny","Action":"states:StartExecution","Resource":"{{Machine}}"}]}""";
        Assert.Equal(PolicyDecision.ExplicitDeny, Decide(policy, "states:StartExecution", Machine));
        Assert.Equal(PolicyDecision.Allow, Decide(policy, "states:DescribeStateMachine", Machine));
    }

    [Fact]
    public void NotAction_and_NotResource_apply_to_everything_they_do_not_name()
    {
        const string policy = """{"Statement":[{"Effect":"Allow","NotAction":"iam:*","NotResource":"arn:aws:states:*:*:stateMachine:secret"}]}""";
        Assert.Equal(PolicyDecision.Allow, Decide(policy, "states:StartExecution", Machine));
        Assert.Equal(PolicyDecision.ImplicitDeny, Decide(policy, "iam:PassRole", "arn:aws:iam::000000000000:role/r"));
        Assert.Equal(PolicyDecision.ImplicitDeny, Decide(policy, "states:StartExecution", "arn:aws:states:us-east-1:000000000000:stateMachine:secret"));
    }

    [Fact]
    public void Conditions_need_the_key_unless_IfExists_or_negated()
    {
        const string passRole = """{"Statement":{"Effect":"Allow","Action":"iam:PassRole","Resource":"*","Condition":{"StringEquals":{"iam:PassedToService":["ecs-tasks.amazonaws.com","states.amazonaws.com"]}}}}""";
        Assert.Equal(PolicyDecision.Allow, Decide(passRole, "iam:PassRole", "arn:aws:iam::0:role/r", new() { ["iam:PassedToService"] = "ecs-tasks.amazonaws.com" }));
        Assert.Equal(PolicyDecision.Allow, Decide(passRole, "iam:PassRole", "arn:aws:iam::0:role/r", new() { ["IAM:passedtoservice"] = "states.amazonaws.com" }));
        Assert.Equal(PolicyDecision.ImplicitDeny, Decide(passRole, "iam:PassRole", "arn:aws:iam::0:role/r", new() { ["iam:PassedToService"] = "lambda.amazonaws.com" }));
        Assert.Equal(PolicyDecision.ImplicitDeny, Decide(passRole, "iam:PassRole", "arn:aws:iam::0:role/r"));

        const string ifExists = """{"Statement":{"Effect":"Allow","Action":"ecs:ListTasks","Resource":"*","Condition":{"ArnEqualsIfExists":{"ecs:cluster":"arn:aws:ecs:*:*:cluster/workers"}}}}""";
        Assert.Equal(PolicyDecision.Allow, Decide(ifExists, "ecs:ListTasks", "*"));
        Assert.Equal(PolicyDecision.Allow, Decide(ifExists, "ecs:ListTasks", "*", new() { ["ecs:cluster"] = "arn:aws:ecs:us-east-1:0:cluster/workers" }));
        Assert.Equal(PolicyDecision.ImplicitDeny, Decide(ifExists, "ecs:ListTasks", "*", new() { ["ecs:cluster"] = "arn:aws:ecs:us-east-1:0:cluster/default" }));

        const string negated = """{"Statement":{"Effect":"Allow","Action":"ecs:ListTasks","Resource":"*","Condition":{"ArnNotLike":{"ecs:cluster":"*:cluster/prod-*"},"Null":{"aws:SourceIp":"true"}}}}""";
        Assert.Equal(PolicyDecision.Allow, Decide(negated, "ecs:ListTasks", "*"));
        Assert.Equal(PolicyDecision.ImplicitDeny, Decide(negated, "ecs:ListTasks", "*", new() { ["ecs:cluster"] = "arn:aws:ecs:us-east-1:0:cluster/prod-a" }));
        Assert.Equal(PolicyDecision.ImplicitDeny, Decide(negated, "ecs:ListTasks", "*", new() { ["aws:SourceIp"] = "10.0.0.1" }));
    }

    [Theory]
    [InlineData("""{"Statement":{"Effect":"Permit","Action":"s3:*","Resource":"*"}}""", "Effect must be Allow or Deny")]
    [InlineData("""{"Statement":{"Effect":"Allow","Resource":"*"}}""", "exactly one of Action and NotAction")]
    [InlineData("""{"Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*","NotResource":"x"}}""", "exactly one of Resource and NotResource")]
    [InlineData("""{"Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"DateGreaterThan":{"aws:CurrentTime":"2020-01-01"}}}}""", "does not evaluate the condition operator 'DateGreaterThan'")]
    [InlineData("""{"Version":"2012-10-17"}""", "needs a Statement")]
    public void A_policy_the_sandbox_cannot_evaluate_faithfully_is_refused_with_the_reason(string json, string reason)
    {
        var error = Assert.Throws<InvalidDataException>(() => PolicyDocument.Parse("p", JsonNode.Parse(json)));
        Assert.Contains(reason, error.Message, StringComparison.Ordinal);
    }
}
