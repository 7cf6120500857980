namespace DistributedTaskQueue;

/// <summary>
/// A unit of work whose handler produces a <typeparamref name="TResult"/>. Implement it on a record:
/// the record is the payload (serialized as JSON) and its <see cref="TaskNameAttribute"/> (default: the
/// type name) is the task's stable name. Handlers are found by that name, never by .NET type.
/// </summary>
/// <typeparam name="TResult">What the handler returns; serialized as JSON.</typeparam>
#pragma warning disable CA1040 // A marker interface on purpose: it carries the result type for the typed client API.
public interface ITask<TResult>
#pragma warning restore CA1040
{
}
