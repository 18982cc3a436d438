using Microsoft.AspNetCore.Components.Authorization;

namespace BatchOps.Dashboard.Features.Operations;

/// <summary>The signed-in user of this circuit as an <see cref="OperationActor"/>, for the pages' calls to the actions.</summary>
public sealed class CurrentOperator(AuthenticationStateProvider authentication)
{
    public async Task<OperationActor> GetAsync() => OperationActor.From((await authentication.GetAuthenticationStateAsync().ConfigureAwait(false)).User);
}
