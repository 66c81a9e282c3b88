using System.Security.Cryptography;
using System.Text;
using Padlock.ZooKeeper.Client.Jute;

namespace Padlock.ZooKeeper.Client.Protocol;

/// <summary>One access-control entry: <paramref name="Perms"/> (READ 1, WRITE 2, CREATE 4, DELETE 8, ADMIN 16) for an identity.</summary>
internal sealed record Acl(int Perms, string Scheme, string Id)
{
    public const int All = 31;

    /// <summary>world:anyone with every permission (OPEN_ACL_UNSAFE).</summary>
    public static IReadOnlyList<Acl> Open { get; } = [new Acl(All, "world", "anyone")];

    /// <summary>The digest identity for user:password, as the server computes it: user:base64(sha1(user:password)).</summary>
    public static Acl Digest(string user, string password, int perms = All)
        => new(perms, "digest", user + ":" + Convert.ToBase64String(SHA1.HashData(Encoding.UTF8.GetBytes(user + ":" + password))));

    public static void WriteList(JuteWriter w, IReadOnlyList<Acl> acl)
    {
        w.WriteInt(acl.Count);
        foreach (var a in acl)
        {
            w.WriteInt(a.Perms);
            w.WriteString(a.Scheme);
            w.WriteString(a.Id);
        }
    }
}
