using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using CsCheck;
using DistributedTaskQueue.Tests.Support;

namespace DistributedTaskQueue.Tests.Silo;

/// <summary>
/// The JSON API under hostile field values: every body is answered 202 (and the task then runs to an end, or waits
/// for its not-before time) or 400 problem details naming a field; never a 500, never a hang.
/// </summary>
[Collection(Integration.RedisGroup.Name)]
public sealed class HostileApiSubmitTests(ApiSilo silo) : IClassFixture<ApiSilo>
{
    private const string Queue = "api-hostile";

    /// <summary>A hostile value one time in ten per field, so that across ten fields both answers come up often.</summary>
    private static Gen<JsonNode?> Mostly(JsonNode?[] valid, JsonNode?[] hostile) =>
        Gen.Frequency([.. valid.Select(v => (9 * Math.Max(hostile.Length, 1), v)), .. hostile.Select(h => (valid.Length, h))]);

    private static readonly Gen<JsonNode?> Names = Mostly(["test.record"], ["", "has space", new string('n', 201), 42, JsonValue.Create(true), new JsonObject()]);

    private static readonly Gen<JsonNode?> Payloads = Mostly([new JsonObject { ["label"] = "ok" }], [null, "plain", 7, new JsonArray(), new JsonObject { ["label"] = new string('x', 300_000) }]);

    private static readonly Gen<JsonNode?> Priorities = Mostly([null, "High", "low", 0, 3], [7, -1, "Urgent", 2.5, "2", new JsonObject()]);

    private static readonly Gen<JsonNode?> Spans = Mostly([null, "00:00:05", "00:00:00.200"], ["-00:00:01", "00:00:00", TimeSpan.MaxValue.ToString(), "100.00:00:00", "soon", 5]);

    private static readonly Gen<JsonNode?> Times = Mostly([null, null, "2020-01-01T00:00:00Z"], ["9999-12-31T23:59:59Z", "0001-01-01T00:00:00Z", "yesterday", 12]);

    private static readonly Gen<JsonNode?> Keys = Gen.Frequency<JsonNode?>(
        (20, Gen.Const((JsonNode?)null)), (10, Gen.Int.Select(i => (JsonNode?)$"api-key-{i}")),
        (1, Gen.Const((JsonNode?)"")), (1, Gen.Const((JsonNode?)new string('k', 201))), (1, Gen.Const((JsonNode?)"k\u0001")));

    private static readonly Gen<JsonNode?> Retries = Mostly(
        [null, new JsonObject { ["maxRetries"] = 1, ["retryDelay"] = "00:00:00.050" }],
        [new JsonObject { ["maxRetries"] = -1 }, new JsonObject { ["maxRetries"] = 1_000_000 }, new JsonObject { ["maxDelay"] = TimeSpan.MaxValue.ToString() },
         new JsonObject { ["jitter"] = 5 }, new JsonObject { ["retryDelay"] = "-00:00:01" }, "none"]);

    private static readonly Gen<string> Bodies =
        Gen.Select(Gen.Select(Names, Payloads, Priorities, Spans, Spans, Spans, Times, Times), Keys, Retries, (f, key, retry) =>
        {
            var body = new JsonObject();
            void Set(string name, JsonNode? value, bool always = false)
            {
                if (value is not null || always) body[name] = value?.DeepClone();
            }
            Set("taskName", f.Item1, always: true);
            Set("payload", f.Item2);
            Set("priority", f.Item3);
            Set("timeout", f.Item4);
            Set("delay", f.Item5);
            Set("resultTtl", f.Item6);
            Set("notBefore", f.Item7);
            Set("expiresAt", f.Item8);
            Set("idempotencyKey", key);
            Set("retry", retry);
            return body.ToJsonString();
        });

    [Fact]
    public async Task EveryBody_IsAccepted_OrRefusedAsProblemDetailsNamingAField_AndAcceptedTasksRunToAnEnd()
    {
        var accepted = new List<(TaskId Id, string Body)>();
        var refused = 0;

        await Bodies.SampleAsync(async body =>
        {
            using var content = new StringContent(body, Encoding.UTF8, "application/json");
            using var response = await silo.Http.PostAsync(new Uri($"/api/queues/{Queue}/tasks", UriKind.Relative), content);
            var text = await response.Content.ReadAsStringAsync();
            switch (response.StatusCode)
            {
                case HttpStatusCode.Accepted:
                    accepted.Add((TaskId.Parse(JsonDocument.Parse(text).RootElement.GetProperty("id").GetString()!), body));
                    break;
                case HttpStatusCode.BadRequest:
                    Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
                    var field = JsonDocument.Parse(text).RootElement.TryGetProperty("field", out var f) ? f.GetString() : null;
                    Assert.False(string.IsNullOrEmpty(field), $"a 400 without a field for {body}: {text}");
                    refused++;
                    break;
                default:
                    Assert.Fail($"{(int)response.StatusCode} for {body}: {text}");
                    break;
            }
        }, iter: 120, threads: 1);

        Assert.True(refused > 20, $"only {refused} refusals: the generator is not hostile enough");
        Assert.True(accepted.Count > 20, $"only {accepted.Count} accepted: the generator refuses everything");
        foreach (var (id, body) in accepted.DistinctBy(a => a.Id))
        {
            var info = await silo.Client.GetTaskAsync(id);
            for (var i = 0; i < 150 && info is not null && !info.State.IsFinished() && info.State != TaskState.Scheduled; i++)
            {
                await Task.Delay(100);
                info = await silo.Client.GetTaskAsync(id);
            }
            Assert.True(info is { } end && (end.State.IsFinished() || end.State == TaskState.Scheduled), $"{id} is {info?.State} for {body}");
        }
    }
}
