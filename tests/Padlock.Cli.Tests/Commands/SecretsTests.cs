using Padlock.Cli.Tests.Infrastructure;

namespace Padlock.Cli.Tests.Commands;

/// <summary>A password in a store URI never reaches padlock's output: errors, status and run show it as ***.</summary>
[Collection(CliCollection.Name)]
public sealed class SecretsTests
{
    [Theory]
    [InlineData("status", "x", "--store", "redis://u:s3cret@127.0.0.1:1?connecttimeout=300ms")]
    [InlineData("run", "x", "--store", "redis://127.0.0.1:1?password=s3cret&connecttimeout=300ms", "--", "true")]
    [InlineData("run", "x", "--store", "postgres://u:s3cret@127.0.0.1:1/db?leese=1s", "--", "true")]
    [InlineData("status", "x", "--store", "nope://u:s3cret@h")]
    [InlineData("status", "x", "--store", "rediss://u:s3cret@127.0.0.1:1?connecttimeout=300ms")]
    [InlineData("status", "x", "--store", "rediss://u:s3cret@127.0.0.1:1?cafile=/no/such/ca.pem")]
    [InlineData("status", "x", "--store", "etcd://u:s3cret@127.0.0.1:1/x?tls=true&connecttimeout=300ms")]
    [InlineData("status", "x", "--store", "zk://u:s3cret@127.0.0.1:1/x?connecttimeout=300ms")]
    public async Task A_password_in_the_store_uri_is_never_printed(params string[] args)
    {
        var result = await CliProcess.RunAsync(args);
        Assert.NotEqual(0, result.ExitCode);
        Assert.DoesNotContain("s3cret", result.ToString());
    }
}
