namespace Padlock.Stores;

/// <summary>How a reader-writer hold shares its name (<see cref="IReaderWriterLockStore"/>), and the kind of an entry in a line (<see cref="LinePolicy"/>).</summary>
public enum LockMode
{
    /// <summary>Shared: any number of read holds of one name at once, and no write hold beside them.</summary>
    Read,

    /// <summary>Exclusive: one write hold of the name, and nothing else beside it.</summary>
    Write,
}
