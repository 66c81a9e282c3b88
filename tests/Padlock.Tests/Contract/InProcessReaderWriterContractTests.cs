using Padlock.Testing.Contract;

namespace Padlock.Tests.Contract;

public sealed class InProcessReaderWriterContractTests : ReaderWriterContractTests
{
    protected override LockStoreAdapter Adapter { get; } = new InProcessContractTests.InProcessAdapter();
}
