namespace Padlock.ZooKeeper.Client.Jute;

/// <summary>
/// The bytes from a server do not form a valid frame or record (truncated, oversized, a length out of range, a reply
/// that matches no request). The connection that produced them is dropped; callers see a connection loss.
/// </summary>
internal sealed class ProtocolException(string message) : Exception(message);
