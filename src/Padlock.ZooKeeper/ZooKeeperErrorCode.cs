namespace Padlock.ZooKeeper;

/// <summary>The error codes of the ZooKeeper protocol (the values are those on the wire).</summary>
public enum ZooKeeperErrorCode
{
    /// <summary>No error.</summary>
    Ok = 0,
    /// <summary>A server-side system error.</summary>
    SystemError = -1,
    /// <summary>A runtime inconsistency; in a failed multi, the operations after the failing one.</summary>
    RuntimeInconsistency = -2,
    /// <summary>A data inconsistency was found.</summary>
    DataInconsistency = -3,
    /// <summary>The connection to the server was lost; the outcome of the request is unknown.</summary>
    ConnectionLoss = -4,
    /// <summary>Marshalling or unmarshalling failed.</summary>
    MarshallingError = -5,
    /// <summary>The operation is not implemented by the server.</summary>
    Unimplemented = -6,
    /// <summary>The operation timed out.</summary>
    OperationTimeout = -7,
    /// <summary>Invalid arguments.</summary>
    BadArguments = -8,
    /// <summary>Unknown session.</summary>
    UnknownSession = -12,
    /// <summary>No quorum for the new configuration.</summary>
    NewConfigNoQuorum = -13,
    /// <summary>A reconfiguration is in progress.</summary>
    ReconfigInProgress = -14,
    /// <summary>API error range marker.</summary>
    ApiError = -100,
    /// <summary>The node does not exist.</summary>
    NoNode = -101,
    /// <summary>Not authorised.</summary>
    NoAuth = -102,
    /// <summary>The version given does not match the node's version.</summary>
    BadVersion = -103,
    /// <summary>Ephemeral nodes may not have children.</summary>
    NoChildrenForEphemerals = -108,
    /// <summary>The node already exists.</summary>
    NodeExists = -110,
    /// <summary>The node has children.</summary>
    NotEmpty = -111,
    /// <summary>The session has expired; it cannot be used again.</summary>
    SessionExpired = -112,
    /// <summary>Invalid callback.</summary>
    InvalidCallback = -113,
    /// <summary>Invalid ACL.</summary>
    InvalidAcl = -114,
    /// <summary>Authentication failed.</summary>
    AuthFailed = -115,
    /// <summary>The session moved to another server.</summary>
    SessionMoved = -118,
    /// <summary>A state-changing request was sent to a read-only server.</summary>
    NotReadOnly = -119,
    /// <summary>An ephemeral node was requested on a local session.</summary>
    EphemeralOnLocalSession = -120,
    /// <summary>No such watcher.</summary>
    NoWatcher = -121,
    /// <summary>The request timed out on the client.</summary>
    RequestTimeout = -122,
    /// <summary>Reconfiguration is disabled.</summary>
    ReconfigDisabled = -123,
    /// <summary>The session was closed because it requires SASL authentication.</summary>
    SessionClosedRequireSaslAuth = -124,
    /// <summary>A quota was exceeded.</summary>
    QuotaExceeded = -125,
    /// <summary>The server throttled the operation.</summary>
    ThrottledOp = -127,
}
