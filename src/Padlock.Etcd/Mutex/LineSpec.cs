using Google.Protobuf;
using Padlock.Stores;

namespace Padlock.Etcd.Mutex;

/// <summary>
/// One line of the shared recipe: its key prefix, the policy that decides, the value our key carries, and a check of
/// the keys below ours run before we hold (it throws to refuse; the acquire then deletes our key).
/// </summary>
internal sealed record LineSpec(ByteString Prefix, LinePolicy Policy, ByteString Value, Action<IEnumerable<Mvccpb.KeyValue>>? Check);
