using System.Globalization;

namespace BatchOps.Contracts.StopReasons;

/// <summary>Applies <see cref="StopReasonTable"/>: first matching rule wins, as in the workflows' Choice state.</summary>
public static class StopReasonClassifier
{
    public static StopClassification Classify(StoppedTaskFacts facts)
    {
        ArgumentNullException.ThrowIfNull(facts);
        foreach (var rule in StopReasonTable.TaskRules)
        {
            if (Matches(rule, facts))
            {
                return new(rule.Class, rule.Retryable);
            }
        }

        return StopReasonTable.Unmatched;
    }

    /// <summary>Classifies a task state's error name (task-token reports, timeouts); null when there is no error.</summary>
    public static StopClassification? ClassifyTaskError(string? error)
    {
        if (error is null)
        {
            return null;
        }

        var rule = StopReasonTable.ErrorRules.FirstOrDefault(r => string.Equals(r.Pattern, error, StringComparison.Ordinal));
        return rule is null ? StopReasonTable.Unmatched : new(rule.Class, rule.Retryable);
    }

    public static bool Matches(StopReasonRule rule, StoppedTaskFacts facts)
    {
        ArgumentNullException.ThrowIfNull(rule);
        ArgumentNullException.ThrowIfNull(facts);
        return rule.Fact switch
        {
            StopFact.StoppedReason => facts.StoppedReason is { } reason && Glob(rule.Pattern, reason),
            StopFact.ContainerReason => facts.ContainerReason is { } reason && Glob(rule.Pattern, reason),
            StopFact.StopCode => facts.StopCode is { } code && (rule.Pattern == StopReasonRule.Any || code == rule.Pattern),
            StopFact.ExitCode => facts.ExitCode is { } exit && (rule.Pattern == StopReasonRule.Any || exit == int.Parse(rule.Pattern, CultureInfo.InvariantCulture)),
            _ => false,
        };
    }

    /// <summary>Step Functions' StringMatches: '*' matches any run of characters, everything else itself (case-sensitive).</summary>
    public static bool Glob(string pattern, string text)
    {
        ArgumentNullException.ThrowIfNull(pattern);
        ArgumentNullException.ThrowIfNull(text);
        var parts = pattern.Split('*');
        if (parts.Length == 1)
        {
            return string.Equals(pattern, text, StringComparison.Ordinal);
        }

        if (!text.StartsWith(parts[0], StringComparison.Ordinal) || !text.EndsWith(parts[^1], StringComparison.Ordinal) || text.Length < parts[0].Length + parts[^1].Length)
        {
            return false;
        }

        var position = parts[0].Length;
        var end = text.Length - parts[^1].Length;
        for (var i = 1; i < parts.Length - 1; i++)
        {
            var found = text.IndexOf(parts[i], position, end - position, StringComparison.Ordinal);
            if (found < 0)
            {
                return false;
            }

            position = found + parts[i].Length;
        }

        return true;
    }
}
