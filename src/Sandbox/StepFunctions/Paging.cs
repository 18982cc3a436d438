using System.Globalization;
using System.Text;

namespace BatchOps.Sandbox.StepFunctions;

/// <summary>Opaque page tokens for every sandbox list operation: the offset, base64-encoded.</summary>
public static class Paging
{
    public static (List<T> Page, string? Next) Page<T>(List<T> items, int? maxResults, string? nextToken, string invalidTokenCode = "InvalidToken")
    {
        var size = maxResults is > 0 and <= 1000 ? maxResults.Value : 100;
        var offset = 0;
        if (nextToken is not null && (!int.TryParse(Encoding.UTF8.GetString(TryBase64(nextToken)), NumberStyles.None, CultureInfo.InvariantCulture, out offset) || offset > items.Count))
        {
            throw new SandboxErrorException(invalidTokenCode, "Invalid Token: 'the paging token is not valid'");
        }

        var page = items.Skip(offset).Take(size).ToList();
        var next = offset + size < items.Count ? Convert.ToBase64String(Encoding.UTF8.GetBytes((offset + size).ToString(CultureInfo.InvariantCulture))) : null;
        return (page, next);
    }

    private static byte[] TryBase64(string text)
    {
        try
        {
            return Convert.FromBase64String(text);
        }
        catch (FormatException)
        {
            return [];
        }
    }
}
