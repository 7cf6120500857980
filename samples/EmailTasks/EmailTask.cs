// The original README's EmailTask. The name is the contract between the client and the worker: the record is its JSON
// payload, so either side can be redeployed, or written in another language, as long as the name and shape hold.
using DistributedTaskQueue;

namespace EmailTasks;

/// <summary>Sends one email; the result says to whom.</summary>
[TaskName("EmailTask")]
[TaskDefaults(TimeoutSeconds = 30)]
public sealed record EmailTask(string To, string Subject, string Body) : ITask<string>;
