using System.CommandLine;
using Padlock.Cli.Common;
using Padlock.Stores;

namespace Padlock.Cli.Primitives;

/// <summary>
/// The options that choose a primitive for <c>run</c>: <c>--semaphore N</c>, <c>--rw read|write</c>, <c>--elect
/// [--value V]</c>; none of them means the exclusive lock. At most one may be given.
/// </summary>
internal sealed class PrimitiveOptions
{
    public Option<int?> Semaphore { get; } = new("--semaphore") { Description = $"Take one of N permits of a semaphore instead of the lock: at most N copies run at once (1 to {SemaphoreLimits.MaxCount:N0}). Every copy must give the same N." };

    public Option<string?> ReaderWriter { get; } = new("--rw") { Description = "Take a reader-writer lock instead: 'read' (shared with other readers) or 'write' (alone). A waiting writer blocks later readers." };

    public Option<bool> Elect { get; } = new("--elect") { Description = "Run the command only while elected leader: wait to be elected (forever unless --wait is given), run, and on loss kill it. Others campaigning with the same name take over when it ends." };

    public Option<string?> Value { get; } = new("--value") { Description = "With --elect: the value other clients see while this one leads (default: HOST:PID)." };

    public IEnumerable<Option> All => [Semaphore, ReaderWriter, Elect, Value];

    /// <summary>The chosen primitive; a conflicting or bad combination is a <see cref="UsageException"/>.</summary>
    public Primitive Parse(ParseResult parse)
    {
        var semaphore = parse.GetValue(Semaphore);
        var rw = parse.GetValue(ReaderWriter);
        var elect = parse.GetValue(Elect);
        var value = parse.GetValue(Value);
        var chosen = (semaphore is null ? 0 : 1) + (rw is null ? 0 : 1) + (elect ? 1 : 0);
        if (chosen > 1)
            throw new UsageException("give at most one of --semaphore, --rw and --elect");
        if (value is not null && !elect)
            throw new UsageException("--value is for --elect only");
        if (semaphore is { } permits)
            return Primitive.Semaphore(Args.Positive(permits, "--semaphore", SemaphoreLimits.MaxCount));
        if (rw is not null)
        {
            return rw switch
            {
                "read" => Primitive.Read,
                "write" => Primitive.Write,
                _ => throw new UsageException($"invalid value '{rw}' for --rw: expected read or write"),
            };
        }
        if (!elect) return Primitive.Lock;
        value ??= $"{Environment.MachineName}:{Environment.ProcessId}";
        try
        {
            ElectionLimits.ValidateValue(value, "--value");
        }
        catch (ArgumentException ex)
        {
            throw new UsageException($"invalid value for --value: {Args.Clean(ex.Message)}");
        }
        return Primitive.Election(value);
    }
}
