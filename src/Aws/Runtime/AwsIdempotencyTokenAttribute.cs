namespace BatchOps.Aws.Runtime;

/// <summary>Marks a member the model flags as idempotencyToken: the client fills it when it is absent.</summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class AwsIdempotencyTokenAttribute : Attribute;
