namespace DistributedTaskQueue.Queue;

/// <summary>
/// Hashes submit tokens with the process's random seed (<see cref="HashCode"/>): tokens come from callers, and a
/// Guid's own hash (the XOR of its four ints) lets a caller send thousands of distinct tokens that land in one chain,
/// turning each lookup of a batch into a walk of it inside the partition's turn.
/// </summary>
internal sealed class SubmitTokenComparer : IEqualityComparer<SubmitToken>
{
    public static readonly SubmitTokenComparer Instance = new();

    public bool Equals(SubmitToken x, SubmitToken y) => x == y;

    public int GetHashCode(SubmitToken token)
    {
        // Its four ints go in as they are (an int's own hash): folding two into a long first would XOR them again.
        Span<int> ints = stackalloc int[4];
        token.Call.TryWriteBytes(System.Runtime.InteropServices.MemoryMarshal.AsBytes(ints));
        return HashCode.Combine(ints[0], ints[1], ints[2], ints[3], token.Index);
    }
}
