using Xunit;

namespace Padlock.Tests.Core;

public sealed class DurationsTests
{
    [Theory]
    [InlineData("250ms", 250)]
    [InlineData("30s", 30_000)]
    [InlineData("1.5m", 90_000)]
    [InlineData("2h", 7_200_000)]
    [InlineData("00:00:05", 5_000)]
    [InlineData(" 10S ", 10_000)]
    public void Parses_units(string text, double ms) => Assert.Equal(TimeSpan.FromMilliseconds(ms), Durations.Parse(text, "wait"));

    [Fact]
    public void Infinite_is_accepted() => Assert.Equal(Timeout.InfiniteTimeSpan, Durations.Parse("infinite", "wait"));

    [Theory]
    [InlineData("")]
    [InlineData("10")]
    [InlineData("-1s")]
    [InlineData("abc")]
    [InlineData("1d")]
    [InlineData("1e400s")]
    public void Rejects_malformed_durations_naming_the_allowed_forms(string text)
    {
        var ex = Assert.Throws<ArgumentException>(() => Durations.Parse(text, "--wait"));
        Assert.Contains("--wait", ex.Message);
        Assert.Contains("250ms", ex.Message);
    }

    [Fact]
    public void Formats_compactly()
    {
        Assert.Equal("250ms", Durations.Format(TimeSpan.FromMilliseconds(250)));
        Assert.Equal("30s", Durations.Format(TimeSpan.FromSeconds(30)));
        Assert.Equal("5m", Durations.Format(TimeSpan.FromMinutes(5)));
        Assert.Equal("infinite", Durations.Format(Timeout.InfiniteTimeSpan));
    }
}
