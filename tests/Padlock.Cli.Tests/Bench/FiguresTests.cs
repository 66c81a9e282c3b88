using Padlock.Cli.Bench;

namespace Padlock.Cli.Tests.Bench;

/// <summary>The arithmetic behind the bench table: percentiles, Jain's index, histogram, timeline.</summary>
public sealed class FiguresTests
{
    [Fact]
    public void Percentiles_are_nearest_rank()
    {
        var ms = Enumerable.Range(1, 100).Select(i => (double)i).ToArray();

        var p = Figures.Latency(ms)!;

        Assert.Equal((50.0, 90.0, 99.0, 100.0, 50.5), (p.P50, p.P90, p.P99, p.Max, p.Mean));
        Assert.Null(Figures.Latency([]));
    }

    [Theory]
    [InlineData(new long[] { 5, 5, 5, 5 }, 1.0)]
    [InlineData(new long[] { 8, 0, 0, 0 }, 0.25)]
    [InlineData(new long[] { 3, 1 }, 0.8)]
    public void Jain_index_is_one_when_even_and_one_over_n_when_one_worker_gets_all(long[] perWorker, double expected)
        => Assert.Equal(expected, Figures.Jain(perWorker), 9);

    [Fact]
    public void Histogram_puts_each_sample_in_its_bucket_and_shares_sum_to_one()
    {
        var (upper, share) = Figures.Histogram([0.005, 0.02, 0.02, 5.0]);

        Assert.Equal(1.0, share.Sum(), 9);
        Assert.Equal(0.25, share[0], 9); // 0.005 ms is below the first bound (~0.018 ms)
        var bucketOf5 = Array.FindIndex(upper, u => u >= 5.0);
        Assert.Equal(0.25, share[bucketOf5], 9);
        Assert.Equal(bucketOf5 + 2, upper.Length); // trimmed to one empty bucket above the slowest sample
    }

    [Fact]
    public void Timeline_divides_a_partial_last_slice_by_its_real_length()
    {
        // 0.25 s run in 0.1 s slices: 2 grants in the first slice, 1 in the last 0.05 s.
        var rates = Figures.Timeline([[0.01, 0.05], [0.22]], 0.25, 0.1);

        Assert.Equal(3, rates.Length);
        Assert.Equal(20.0, rates[0], 6);
        Assert.Equal(0.0, rates[1], 6);
        Assert.Equal(20.0, rates[2], 6);
    }
}
