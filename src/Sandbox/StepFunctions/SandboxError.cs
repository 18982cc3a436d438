using System.Net;

namespace BatchOps.Sandbox.StepFunctions;

/// <summary>An API error answered the way the service does: the model's error shape name, a message and a status.</summary>
public sealed class SandboxErrorException(string code, string message, HttpStatusCode status = HttpStatusCode.BadRequest) : Exception(message)
{
    public string Code { get; } = code;

    public HttpStatusCode Status { get; } = status;
}
