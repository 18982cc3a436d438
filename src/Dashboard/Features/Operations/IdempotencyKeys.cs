using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace BatchOps.Dashboard.Features.Operations;

/// <summary>
/// How a request becomes a key, so that the same request twice (a double click, two operators at once, a script's
/// retry) is one operation, and how keys become what AWS dedupes on (RedriveExecution's clientToken, an execution name).
/// </summary>
public static class IdempotencyKeys
{
    /// <summary>A redrive of this execution from this redrive count: once per failure, whoever asks.</summary>
    public static string Redrive(string executionArn, int redriveCount) => $"redrive {executionArn} {redriveCount.ToString(CultureInfo.InvariantCulture)}";

    public static string Stop(string executionArn) => $"stop {executionArn}";

    /// <summary>One answer per waiting task (its scheduled event), success or failure.</summary>
    public static string Callback(string executionArn, long scheduledEventId) => $"callback {executionArn} {scheduledEventId.ToString(CultureInfo.InvariantCulture)}";

    /// <summary>A caller's own key (a form's, or an API Idempotency-Key header), scoped to the caller.</summary>
    public static string Client(string actor, string key) => $"client {actor} {key}";

    /// <summary>Same caller, same action, same target and input: the same request.</summary>
    public static string Content(string kind, string actor, string target, string input) => $"content {kind} {actor} {target} {Hash(input)}";

    /// <summary>The ledger's key column: the kind and a hash of the key (ARNs are long, and keys may hold user input).</summary>
    public static string Stored(string kind, string key) => $"{kind}:{Hash(key)}";

    /// <summary>RedriveExecution's clientToken (1-64 printable ASCII), the same for every retry of one operation.</summary>
    public static string ClientToken(string storedKey, int generation) => "batchops-" + Hash(storedKey + "#" + generation.ToString(CultureInfo.InvariantCulture))[..48];

    /// <summary>A fingerprint of the request, to refuse a client key reused for a different request.</summary>
    public static string Fingerprint(string parameters) => Hash(parameters);

    public static string Hash(string value) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(value)));
}
