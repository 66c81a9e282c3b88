using Microsoft.Extensions.Logging;
using Padlock.ZooKeeper.Client;
using Padlock.ZooKeeper.Client.Protocol;

namespace Padlock.ZooKeeper.Locks;

/// <summary>
/// Takes our entries out of a line: on release, on giving up, and after a create whose outcome is unknown. It never
/// holds up the caller through a disconnect; an entry it cannot delete goes with the session at the latest.
/// </summary>
internal sealed class EntryDeleter(TimeSpan sessionTimeout, TimeSpan requestTimeout, ILogger logger)
{
    /// <summary>
    /// Deletes one of our entries. When connected this is one request, awaited, so a waiter that gives up is out of the
    /// line before the call returns. Without a connection (or when that request fails for want of one) the delete is
    /// retried in the background once reconnected, rather than holding up the caller; at the latest the entry goes
    /// with the session.
    /// </summary>
    public async Task DeleteAsync(LockSession session, string path)
    {
        if (session.Client.State == ConnectionState.Connected && await TryDeleteAsync(session, path).ConfigureAwait(false)) return;
        _ = Task.Run(() => DeleteInBackgroundAsync(session, path));
    }

    /// <summary>True when the entry is gone (deleted now, or already); false when the outcome is unknown.</summary>
    private static async Task<bool> TryDeleteAsync(LockSession session, string path)
    {
        try
        {
            await session.Client.DeleteAsync(path).ConfigureAwait(false);
            return true;
        }
        catch (ZooKeeperException ex) when (ex.Code is ZooKeeperErrorCode.NoNode or ZooKeeperErrorCode.SessionExpired)
        {
            return true; // already gone (with the session, or deleted by someone)
        }
        catch (ZooKeeperException ex) when (ex.Code is ZooKeeperErrorCode.ConnectionLoss or ZooKeeperErrorCode.RequestTimeout)
        {
            return false;
        }
    }

    private async Task DeleteInBackgroundAsync(LockSession session, string path)
    {
        while (true)
        {
            try
            {
                // Until the session ends: then the server deletes the entry itself.
                if (!await session.Client.WaitConnectedAsync(sessionTimeout * 2).ConfigureAwait(false)) continue;
            }
            catch (ZooKeeperException)
            {
                return;
            }
            try
            {
                if (await TryDeleteAsync(session, path).ConfigureAwait(false)) return;
            }
            catch (ZooKeeperException ex)
            {
                logger.LogWarning("Could not delete {Path}: {Error}; it goes when session 0x{Session:x} ends", path, ex.Message, session.Client.SessionId);
                return;
            }
        }
    }

    /// <summary>In the background: once reconnected, finds the entry a create in doubt may have made, and deletes it.</summary>
    public void CleanUpInDoubt(LockSession session, string parent, string prefix)
    {
        _ = Task.Run(async () =>
        {
            try
            {
                if (!await session.Client.WaitConnectedAsync(requestTimeout * 2).ConfigureAwait(false)) return;
                // As in LockAcquisition.FindOursAsync: let the server catch up with the leader before listing.
                await session.Client.SyncAsync(parent).ConfigureAwait(false);
                foreach (var child in await session.Client.GetChildrenAsync(parent).ConfigureAwait(false))
                {
                    if (child.StartsWith(prefix, StringComparison.Ordinal)) await DeleteAsync(session, ZkPaths.Combine(parent, child)).ConfigureAwait(false);
                }
            }
            catch (ZooKeeperException ex)
            {
                logger.LogDebug("Cleaning up after a create in doubt under {Parent}: {Error}", parent, ex.Message);
            }
        });
    }

}
