using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace Padlock.Postgres;

/// <summary>
/// The 64-bit advisory lock key of a lock name: the first 8 bytes of SHA-256 over "padlock:" and the name's UTF-8.
/// Stable across processes, versions and machines. Two names may share a key (chance about n²/2⁶⁵ for n names): they
/// then exclude each other, which is safe, only slower; their fencing rows stay apart, as they are keyed by the full name.
/// </summary>
internal static class AdvisoryKey
{
    public static long Of(string name)
    {
        var bytes = Encoding.UTF8.GetBytes("padlock:" + name);
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(bytes, hash);
        return BinaryPrimitives.ReadInt64BigEndian(hash);
    }

    /// <summary>How pg_locks shows a bigint key: classid the high 32 bits, objid the low 32 bits (both oid).</summary>
    public static (long ClassId, long ObjId) InPgLocks(long key) => ((long)((ulong)key >> 32), key & 0xFFFFFFFFL);
}
