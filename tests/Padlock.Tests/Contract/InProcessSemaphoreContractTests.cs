using Padlock.Testing.Contract;

namespace Padlock.Tests.Contract;

public sealed class InProcessSemaphoreContractTests : SemaphoreContractTests
{
    protected override LockStoreAdapter Adapter { get; } = new InProcessContractTests.InProcessAdapter();
}
