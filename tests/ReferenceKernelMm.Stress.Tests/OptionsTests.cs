using Xunit;

namespace ReferenceKernelMm.Stress.Tests
{
    public class OptionsTests
    {
        [Fact]
        public void Defaults_when_no_option_is_given()
        {
            StressOptions o = StressOptions.Parse([], out string? error)!;
            Assert.Null(error);
            Assert.Null(o.profile);
            Assert.Null(o.variant);
            Assert.Null(o.seed);
            Assert.Equal(10, o.duration);
            Assert.Equal(8, o.cpus);
            Assert.Equal(1, o.window_ms);
            Assert.False(o.list);
        }

        [Fact]
        public void Every_option_parses_with_a_separate_or_inline_value()
        {
            StressOptions o = StressOptions.Parse(
                ["--profile", "arm64", "--duration=2.5", "--cpus", "8", "--seed=-3", "--variant", "v", "--watchdog", "4", "--window-ms=0", "--plan", "7", "--list"],
                out string? error)!;
            Assert.Null(error);
            Assert.Equal("arm64", o.profile);
            Assert.Equal(2.5, o.duration);
            Assert.Equal(8, o.cpus);
            Assert.Equal(-3, o.seed);
            Assert.Equal("v", o.variant);
            Assert.Equal(4, o.watchdog);
            Assert.Equal(0, o.window_ms);
            Assert.Equal(7, o.plan);
            Assert.True(o.list);
        }

        [Theory]
        [InlineData("unknown option '--bogus'", "--bogus")]
        [InlineData("--cpus needs an integer from 1 to 32, not '0'", "--cpus", "0")]
        [InlineData("--cpus needs an integer from 1 to 32, not 'four'", "--cpus", "four")]
        [InlineData("--duration needs a number from 0.1 to 86400, not ''", "--duration")]
        [InlineData("--seed needs an integer", "--seed", "1.5")]
        [InlineData("--variant needs a variant name", "--variant")]
        [InlineData("--profile needs a profile name", "--profile=")]
        public void Bad_usage_is_rejected_with_a_message(string message, params string[] args)
        {
            Assert.Null(StressOptions.Parse(args, out string? error));
            Assert.StartsWith(message, error);
        }
    }
}
