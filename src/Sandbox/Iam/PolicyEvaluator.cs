namespace BatchOps.Sandbox.Iam;

/// <summary>What a caller asks to do: an action on a resource ARN ("*" for actions without resource-level permissions), with the request's condition keys.</summary>
public sealed record AuthorizationRequest(string Action, string Resource, IReadOnlyDictionary<string, string>? Context = null)
{
    public override string ToString() => $"{Action} on {Resource}";
}

public enum PolicyDecision
{
    /// <summary>No statement allows it (IAM's default).</summary>
    ImplicitDeny,
    Allow,
    /// <summary>A Deny statement matches: nothing else counts.</summary>
    ExplicitDeny,
}

/// <summary>
/// IAM's evaluation of identity-based policies for one principal: an explicit Deny wins, otherwise any Allow allows,
/// otherwise the request is denied. Actions match case-insensitively, resources case-sensitively, both with the
/// <c>*</c> and <c>?</c> wildcards; every condition operator of a statement must hold, any value of a key may match.
/// </summary>
public static class PolicyEvaluator
{
    public static PolicyDecision Evaluate(IEnumerable<PolicyStatement> statements, AuthorizationRequest request)
    {
        ArgumentNullException.ThrowIfNull(statements);
        ArgumentNullException.ThrowIfNull(request);
        var allowed = false;
        foreach (var statement in statements)
        {
            if (!Applies(statement, request))
            {
                continue;
            }

            if (!statement.Allow)
            {
                return PolicyDecision.ExplicitDeny;
            }

            allowed = true;
        }

        return allowed ? PolicyDecision.Allow : PolicyDecision.ImplicitDeny;
    }

    public static bool Applies(PolicyStatement statement, AuthorizationRequest request)
    {
        ArgumentNullException.ThrowIfNull(statement);
        ArgumentNullException.ThrowIfNull(request);
        var action = statement.Actions.Any(a => Like(request.Action, a, ignoreCase: true));
        var resource = statement.Resources.Any(r => Like(request.Resource, r, ignoreCase: false));
        return action != statement.NotAction && resource != statement.NotResource && Conditions(statement, request.Context ?? new Dictionary<string, string>());
    }

    private static bool Conditions(PolicyStatement statement, IReadOnlyDictionary<string, string> context)
    {
        foreach (var (op, keys) in statement.Conditions)
        {
            var ifExists = op.EndsWith("IfExists", StringComparison.Ordinal);
            var bare = ifExists ? op[..^"IfExists".Length] : op;
            foreach (var (key, values) in keys)
            {
                var present = TryGet(context, key, out var actual);
                if (bare == "Null")
                {
                    // "Null": "true" asks that the key be absent.
                    if (values.Any(v => string.Equals(v, "true", StringComparison.OrdinalIgnoreCase)) == present)
                    {
                        return false;
                    }

                    continue;
                }

                var negated = bare.Contains("Not", StringComparison.Ordinal);
                if (!present)
                {
                    // A missing key fails a positive operator and satisfies a negated one, unless IfExists says to skip it.
                    if (ifExists || negated)
                    {
                        continue;
                    }

                    return false;
                }

                var any = values.Any(v => Matches(bare, actual!, v));
                if (negated ? any : !any)
                {
                    return false;
                }
            }
        }

        return true;
    }

    private static bool Matches(string op, string actual, string expected) => op switch
    {
        "StringEquals" or "StringNotEquals" => string.Equals(actual, expected, StringComparison.Ordinal),
        "StringEqualsIgnoreCase" or "StringNotEqualsIgnoreCase" => string.Equals(actual, expected, StringComparison.OrdinalIgnoreCase),
        "Bool" => string.Equals(actual, expected, StringComparison.OrdinalIgnoreCase),
        // ArnEquals and ArnLike behave alike in IAM: both take wildcards.
        _ => Like(actual, expected, ignoreCase: false),
    };

    private static bool TryGet(IReadOnlyDictionary<string, string> context, string key, out string? value)
    {
        // Condition key names are case-insensitive.
        foreach (var (k, v) in context)
        {
            if (string.Equals(k, key, StringComparison.OrdinalIgnoreCase))
            {
                value = v;
                return true;
            }
        }

        value = null;
        return false;
    }

    /// <summary>Glob match: <c>*</c> any run of characters (slashes and colons too), <c>?</c> one character.</summary>
    public static bool Like(string text, string pattern, bool ignoreCase)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(pattern);
        var comparison = ignoreCase ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;
        int t = 0, p = 0, star = -1, mark = 0;
        while (t < text.Length)
        {
            if (p < pattern.Length && (pattern[p] == '?' || string.Compare(text, t, pattern, p, 1, comparison) == 0) && pattern[p] != '*')
            {
                t++;
                p++;
            }
            else if (p < pattern.Length && pattern[p] == '*')
            {
                star = p++;
                mark = t;
            }
            else if (star >= 0)
            {
                p = star + 1;
                t = ++mark;
            }
            else
            {
                return false;
            }
        }

        while (p < pattern.Length && pattern[p] == '*')
        {
            p++;
        }

        return p == pattern.Length;
    }
}
