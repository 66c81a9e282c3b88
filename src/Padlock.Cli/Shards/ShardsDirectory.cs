using Padlock.Cli.Common;
using Padlock.Sharding;
using Padlock.Stores;

namespace Padlock.Cli.Shards;

/// <summary>
/// Opens the shard map admin for <c>--directory</c>: a URI that is malformed or names a store that cannot keep a map
/// (the core's <see cref="ArgumentException"/>, shown as it is) is a usage error; a directory that does not answer is
/// "unreachable" (69), named by the URI typed.
/// </summary>
internal static class ShardsDirectory
{
    public static ShardMapAdmin Open(string uri, TimeSpan? expiryMargin = null)
    {
        StoreOpener.Validate(uri);
        var context = new StoreContext
        {
            OwnerDescription = StoreOpener.Owner,
            LoggerFactory = Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance,
        };
        ILockStore store;
        try
        {
            // Built from the store rather than ShardMapAdmin.Open, because ExpiryMargin can only be set at construction.
            store = LockProvider.Create(uri.Trim(), context).Store;
        }
        catch (ArgumentException ex)
        {
            throw new UsageException($"invalid --directory: {Args.Clean(ex.Message)}");
        }
        catch (StorePackageMissingException ex)
        {
            throw new UsageException(ex.Message);
        }
        catch (LockStoreUnavailableException ex)
        {
            throw new StoreUnreachableException(uri, ex);
        }
        try
        {
            return expiryMargin is { } margin
                ? new ShardMapAdmin(store, context) { ExpiryMargin = margin }
                : new ShardMapAdmin(store, context);
        }
        catch (ArgumentException ex)
        {
            store.DisposeAsync().AsTask().GetAwaiter().GetResult();
            throw new UsageException($"invalid --directory: {Args.Clean(ex.Message)}");
        }
    }

    /// <summary>Runs a read of the directory, reporting a directory that does not answer under its URI.</summary>
    public static async Task<T> ReadAsync<T>(string uri, Func<Task<T>> read)
    {
        try
        {
            return await read();
        }
        catch (LockStoreUnavailableException ex)
        {
            throw new StoreUnreachableException(uri, ex);
        }
    }
}
