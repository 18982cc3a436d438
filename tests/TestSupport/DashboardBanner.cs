namespace BatchOps.TestSupport;

/// <summary>
/// The line the dashboard prints once it listens (DashboardHost.Announce): its address and, in sandbox mode, the
/// sandbox's. Tests and benches that start the built dashboard read where it went from here.
/// </summary>
public static class DashboardBanner
{
    public const string Prefix = "BatchOps dashboard: ";
    private const string SandboxMarker = "local AWS and sign-in at ";

    public static bool IsBanner(string line) => line.StartsWith(Prefix, StringComparison.Ordinal);

    /// <summary>The dashboard's address from the first banner line in <paramref name="output"/>.</summary>
    public static Uri Dashboard(IEnumerable<string> output) =>
        new(output.First(IsBanner)[Prefix.Length..].Split(' ', 2)[0]);

    /// <summary>The sandbox's address in sandbox mode; null in AWS mode or before the banner.</summary>
    public static Uri? Sandbox(IEnumerable<string> output) =>
        output.FirstOrDefault(IsBanner) is { } line && line.IndexOf(SandboxMarker, StringComparison.Ordinal) is var at and >= 0
            ? new Uri(line[(at + SandboxMarker.Length)..].Split([',', ' ', ')'], 2)[0])
            : null;
}
