using BatchOps.Dashboard.Features.Operations;
using Microsoft.AspNetCore.Http.HttpResults;

namespace BatchOps.Dashboard.Features.Schedules;

/// <summary>Body of <c>PUT /api/schedules/{group}/{name}</c>: the whole schedule, and the version it was edited from.</summary>
public sealed record ScheduleBody(ScheduleDefinition Schedule, DateTimeOffset? ExpectedLastModified = null);

/// <summary>Schedules over HTTP under <c>/api/schedules</c>: the same services, roles, validation and ledger as the pages.</summary>
public static class SchedulesApi
{
    public static RouteGroupBuilder MapSchedulesApi(this RouteGroupBuilder api)
    {
        ArgumentNullException.ThrowIfNull(api);
        api.MapGet("/schedules", async (HttpContext http, ScheduleQueries queries, CancellationToken ct) =>
                TypedResults.Ok(await queries.ListAsync(SchedulesFilter.Parse(http.Request.Query.ToDictionary(q => q.Key, q => (string?)q.Value.ToString())), ct).ConfigureAwait(false)))
            .WithName("ListSchedules").WithSummary("Schedules as last read from EventBridge Scheduler, with their next fire times.");
        api.MapGet("/schedules/{group}/{name}", async Task<Results<Ok<ScheduleDefinition>, ProblemHttpResult>> (string group, string name, ScheduleQueries queries, CancellationToken ct) =>
                await queries.GetAsync(group, name, ct).ConfigureAwait(false) is { } detail ? TypedResults.Ok(detail.Definition) : OperationsApi.NotFound($"There is no schedule {group}/{name}."))
            .WithName("GetSchedule").WithSummary("One schedule, every field (as UpdateSchedule takes them).");
        api.MapGet("/schedules/{group}/{name}/runs", async Task<Results<Ok<IReadOnlyList<ScheduleRun>>, ProblemHttpResult>> (string group, string name, ScheduleQueries queries, CancellationToken ct) =>
                await queries.GetAsync(group, name, ct).ConfigureAwait(false) is { } detail ? TypedResults.Ok(detail.Runs) : OperationsApi.NotFound($"There is no schedule {group}/{name}."))
            .WithName("GetScheduleRuns").WithSummary("Its recent fire times and the executions they started; missed and skipped ones.");

        api.MapPost("/schedules", async (HttpContext http, ScheduleActions actions, CancellationToken ct) =>
            {
                var (body, error) = await OperationsApi.ReadAsync<ScheduleBody>(http, ct).ConfigureAwait(false);
                return body is null ? error! : OperationsApi.Answer(await actions.SaveAsync(OperationsApi.Actor(http), new ScheduleSaveRequest(body.Schedule, IsNew: true), ct).ConfigureAwait(false));
            })
            .Accepts<ScheduleBody>("application/json").Produces<OperationView>().ProducesProblems().WithName("CreateSchedule").WithSummary("Create a schedule.");
        api.MapPut("/schedules/{group}/{name}", async (string group, string name, HttpContext http, ScheduleActions actions, CancellationToken ct) =>
            {
                var (body, error) = await OperationsApi.ReadAsync<ScheduleBody>(http, ct).ConfigureAwait(false);
                return body is null ? error!
                    : OperationsApi.Answer(await actions.SaveAsync(OperationsApi.Actor(http), new ScheduleSaveRequest(body.Schedule with { GroupName = group, Name = name }, IsNew: false, body.ExpectedLastModified), ct).ConfigureAwait(false));
            })
            .Accepts<ScheduleBody>("application/json").Produces<OperationView>().ProducesProblems().WithName("UpdateSchedule")
            .WithSummary("Replace a schedule (every field); refused when it changed since expectedLastModified.");
        api.MapPost("/schedules/{group}/{name}/enable", async (string group, string name, HttpContext http, ScheduleActions actions, CancellationToken ct) =>
                OperationsApi.Answer(await actions.SetStateAsync(OperationsApi.Actor(http), group, name, enabled: true, null, ct).ConfigureAwait(false)))
            .Produces<OperationView>().ProducesProblems().WithName("EnableSchedule").WithSummary("Enable a schedule.");
        api.MapPost("/schedules/{group}/{name}/disable", async (string group, string name, HttpContext http, ScheduleActions actions, CancellationToken ct) =>
                OperationsApi.Answer(await actions.SetStateAsync(OperationsApi.Actor(http), group, name, enabled: false, null, ct).ConfigureAwait(false)))
            .Produces<OperationView>().ProducesProblems().WithName("DisableSchedule").WithSummary("Disable a schedule.");
        api.MapPost("/schedules/{group}/{name}/run", async (string group, string name, HttpContext http, ScheduleActions actions, CancellationToken ct) =>
                OperationsApi.Answer(await actions.RunNowAsync(OperationsApi.Actor(http), group, name, OperationsApi.Key(http), ct).ConfigureAwait(false)))
            .Produces<OperationView>().ProducesProblems().WithName("RunScheduleNow").WithSummary("Start the schedule's target now with its input.");
        api.MapDelete("/schedules/{group}/{name}", async (string group, string name, HttpContext http, ScheduleActions actions, CancellationToken ct) =>
                OperationsApi.Answer(await actions.DeleteAsync(OperationsApi.Actor(http), group, name, ct).ConfigureAwait(false)))
            .Produces<OperationView>().ProducesProblems().WithName("DeleteSchedule").WithSummary("Delete a schedule (Admin).");
        api.MapPost("/schedule-groups/{group}/pause", async (string group, HttpContext http, ScheduleActions actions, CancellationToken ct) =>
                OperationsApi.Answer(await actions.PauseGroupAsync(OperationsApi.Actor(http), group, ct).ConfigureAwait(false)))
            .Produces<OperationView>().ProducesProblems().WithName("PauseScheduleGroup").WithSummary("Disable every enabled schedule of a group.");
        api.MapPost("/operations/{id:long}/resume-group", async (long id, HttpContext http, ScheduleActions actions, CancellationToken ct) =>
                OperationsApi.Answer(await actions.ResumeGroupAsync(OperationsApi.Actor(http), id, ct).ConfigureAwait(false)))
            .Produces<OperationView>().ProducesProblems().WithName("ResumeScheduleGroup").WithSummary("Enable again exactly the schedules a pause disabled.");
        api.MapPost("/operations/{id:long}/restore-schedule", async (long id, bool? before, HttpContext http, ScheduleActions actions, CancellationToken ct) =>
                OperationsApi.Answer(await actions.RestoreVersionAsync(OperationsApi.Actor(http), id, before ?? true, ct).ConfigureAwait(false)))
            .Produces<OperationView>().ProducesProblems().WithName("RestoreScheduleVersion")
            .WithSummary("Bring a schedule back to how it was before (?before=true, the default) or after an earlier operation.");
        return api;
    }
}
