namespace Padlock.Internal;

/// <summary>
/// What the current async flow holds, per (provider, primitive, name), so that a second acquire of a name the flow
/// already holds fails at once with <see cref="LockRecursionException"/> instead of waiting out its timeout (no
/// primitive is reentrant).
/// </summary>
/// <remarks>
/// A value set inside an async method never flows back to its caller, so each acquire adds its own cell to the flow's
/// list synchronously, in the caller's flow, before the acquire starts, and the async path then marks that cell held
/// (on grant) or ended (on failure or release). The list itself is immutable: tasks the flow starts later get a copy,
/// so parallel workers never see each other's holds, only the ones their starter held when it started them (awaiting
/// such a task while it waits for its starter's name would deadlock anyway).
/// </remarks>
internal static class FlowHolds
{
    private static readonly AsyncLocal<Cell[]?> Current = new();

    /// <summary>
    /// Adds a cell for an acquire of the key to the calling flow. Call from a non-async method. The cell knows whether
    /// the flow already held the key when it began (<see cref="Cell.Recursive"/>).
    /// </summary>
    internal static Cell Begin(object provider, string primitive, string name)
    {
        var cells = Current.Value ?? [];
        var cell = new Cell(provider, primitive, name);
        var live = new List<Cell>(cells.Length + 1);
        foreach (var c in cells)
        {
            if (c.IsEnded) continue; // released or failed: drop it, so a loop of acquires does not grow the list
            live.Add(c);
            if (c.IsHeld && c.Same(cell)) cell.Recursive = true;
        }
        live.Add(cell);
        Current.Value = [.. live];
        return cell;
    }

    /// <summary>One acquire's entry: pending, then held, then ended (disposing ends it).</summary>
    internal sealed class Cell(object provider, string primitive, string name) : IDisposable
    {
        private int _state; // 0 pending, 1 held, 2 ended

        internal bool Recursive { get; set; }

        internal bool IsHeld => Volatile.Read(ref _state) == 1;

        internal bool IsEnded => Volatile.Read(ref _state) == 2;

        internal bool Same(Cell other)
            => ReferenceEquals(provider, other.Provider) && primitive == other.Primitive && name == other.Name;

        internal void MarkHeld() => Interlocked.CompareExchange(ref _state, 1, 0);

        public void Dispose() => Volatile.Write(ref _state, 2);

        private object Provider => provider;

        private string Primitive => primitive;

        private string Name => name;
    }
}
