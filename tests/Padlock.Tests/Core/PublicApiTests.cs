using Padlock.Testing.Api;
using Xunit;

namespace Padlock.Tests.Core;

/// <summary>The package's public surface matches its baseline in api/: every API change is a visible diff.</summary>
public sealed class PublicApiTests
{
    [Fact]
    public void Public_API_matches_the_baseline() => ApiSnapshot.Verify(typeof(Padlock.LockProvider).Assembly);
}
