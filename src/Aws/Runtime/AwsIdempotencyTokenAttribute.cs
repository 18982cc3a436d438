namespace BatchOps.Aws.Runtime;

/// <summary>Marks a member the model flags as idempotencyToken: the client fills it when it is absent.</summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class AwsIdempotencyTokenAttribute : Attribute;

/// <summary>
/// Marks a rest-json member bound to the URI, query string or a header: it never goes in the JSON body.
/// (Not [JsonIgnore], which System.Text.Json refuses on required members.)
/// </summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class AwsHttpBindingAttribute : Attribute;
