namespace Padlock.Sharding;

/// <summary>
/// The shard map a directory keeps: an epoch, whether a move is in progress, and every shard table so far, oldest
/// first. Stable: the last table places every name. Moving: names are placed by the last two tables at once, a name
/// whose store differs between them being held on the old store first, then on the new one (see docs/sharding.md).
/// The history of tables is kept so that every client computes the same placement generation for a name (the epoch of
/// the table that last moved it), which the fencing tokens carry in their high bits (<see cref="ShardTokens"/>).
/// </summary>
public sealed class ShardMap
{
    /// <summary>Builds a map and checks it is consistent.</summary>
    /// <param name="epoch">The map's epoch (1 or more, at least the last table's epoch).</param>
    /// <param name="isMoving">Whether the last table is being moved to (needs at least two tables).</param>
    /// <param name="tables">Every table, oldest first, with strictly increasing epochs.</param>
    /// <exception cref="ArgumentException">The map is inconsistent; the message says how.</exception>
    public ShardMap(long epoch, bool isMoving, IReadOnlyList<ShardTable> tables)
    {
        ArgumentNullException.ThrowIfNull(tables);
        if (tables.Count == 0) throw new ArgumentException("A shard map needs at least one table.", nameof(tables));
        if (epoch < 1 || epoch > ShardTokens.MaxGeneration)
            throw new ArgumentOutOfRangeException(nameof(epoch), epoch, $"A shard map epoch must be 1..{ShardTokens.MaxGeneration}.");
        for (var i = 1; i < tables.Count; i++)
        {
            if (tables[i].Epoch <= tables[i - 1].Epoch)
                throw new ArgumentException($"Shard tables must have strictly increasing epochs; table {i} has {tables[i].Epoch} after {tables[i - 1].Epoch}.", nameof(tables));
        }
        if (tables[^1].Epoch > epoch)
            throw new ArgumentException($"The last table's epoch ({tables[^1].Epoch}) is after the map's ({epoch}).", nameof(tables));
        if (isMoving && tables.Count < 2)
            throw new ArgumentException("A moving map needs the table moved from and the table moved to.", nameof(tables));
        Epoch = epoch;
        IsMoving = isMoving;
        Tables = [.. tables];
    }

    /// <summary>The epoch: raised by one at every step of every change.</summary>
    public long Epoch { get; }

    /// <summary>True while names are moving from <see cref="Current"/> to <see cref="Target"/>.</summary>
    public bool IsMoving { get; }

    /// <summary>Every table, oldest first.</summary>
    public IReadOnlyList<ShardTable> Tables { get; }

    /// <summary>The table that places names for clients that have not seen the move: the last one, or the one before it while moving.</summary>
    public ShardTable Current => IsMoving ? Tables[^2] : Tables[^1];

    /// <summary>The table names end up on: the last one.</summary>
    public ShardTable Target => Tables[^1];

    /// <summary>The first map: epoch 1, one stable table.</summary>
    public static ShardMap Initial(IReadOnlyDictionary<string, string> shards) => new(1, false, [new ShardTable(1, shards)]);

    /// <summary>Step 1 of a change: epoch + 1, moving to <paramref name="shards"/>.</summary>
    /// <exception cref="InvalidOperationException">A move is already in progress.</exception>
    public ShardMap BeginMove(IReadOnlyDictionary<string, string> shards)
    {
        if (IsMoving) throw new InvalidOperationException($"Epoch {Epoch} is already moving; finish or abort it first.");
        return new ShardMap(Epoch + 1, true, [.. Tables, new ShardTable(Epoch + 1, shards)]);
    }

    /// <summary>Step 2: epoch + 1, stable on the target table.</summary>
    /// <exception cref="InvalidOperationException">No move is in progress.</exception>
    public ShardMap FinishMove()
    {
        if (!IsMoving) throw new InvalidOperationException($"Epoch {Epoch} is not moving: nothing to finish.");
        return new ShardMap(Epoch + 1, false, Tables);
    }

    /// <summary>
    /// Abandons a move: epoch + 1, stable on the table moved from, the target dropped from the history. Safe at any
    /// time, since no token was ever issued under the dropped table (tokens switch to the new store only once a
    /// finished map is seen).
    /// </summary>
    /// <exception cref="InvalidOperationException">No move is in progress.</exception>
    public ShardMap AbortMove()
    {
        if (!IsMoving) throw new InvalidOperationException($"Epoch {Epoch} is not moving: nothing to abort.");
        return new ShardMap(Epoch + 1, false, [.. Tables.Take(Tables.Count - 1)]);
    }

    /// <summary>Reads a map document (JSON).</summary>
    /// <exception cref="FormatException">The document is not a shard map; the message says what is wrong.</exception>
    public static ShardMap Parse(string document) => ShardMapJson.Read(document);

    /// <summary>The map as a JSON document.</summary>
    public string ToJson() => ShardMapJson.Write(this);

    /// <inheritdoc/>
    public override string ToString() => $"epoch {Epoch} ({(IsMoving ? "moving" : "stable")}): {string.Join(", ", Target.Shards.Select(p => p.Key + "=" + p.Value))}";
}
