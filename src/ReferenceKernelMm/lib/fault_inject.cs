using System;

namespace ReferenceKernelMm.lib
{
    /// <summary>
    /// One fault-injection point's configuration and state (lib/fault-inject.c, struct fault_attr): fail with
    /// <see cref="probability"/>, or every <see cref="interval"/>-th call, at most <see cref="times"/> times (-1: no limit).
    /// The draws come from one generator seeded by <see cref="setup"/>, so a run on one CPU fails at the same calls
    /// every time; with several CPUs the order of the calls, and so which one fails, depends on the interleaving.
    /// </summary>
    public sealed class fault_attr
    {
        /// <summary>A point named <paramref name="name"/> (the debugfs directory in the kernel), disabled.</summary>
        public fault_attr(string name) { this.name = name; }

        /// <summary>Name, for logs.</summary>
        public readonly string name;

        private readonly object gate = new();
        private Random rnd = new(0);
        private double probability;
        private long interval;
        private long times = -1;
        private long calls, failures;

        /// <summary>Chance of failing a call, 0..1.</summary>
        public double Probability { get { lock (gate) return probability; } }

        /// <summary>Calls seen since <see cref="setup"/>.</summary>
        public long Calls { get { lock (gate) return calls; } }

        /// <summary>Calls failed since <see cref="setup"/>.</summary>
        public long Failures { get { lock (gate) return failures; } }

        /// <summary>Whether the point can fail at all.</summary>
        public bool enabled { get { lock (gate) return (probability > 0 || interval > 0) && times != 0; } }

        /// <summary>
        /// Configures the point and resets its counts (writing the debugfs files). <paramref name="interval"/> &gt; 0 fails
        /// exactly every interval-th call and ignores the probability, as fault-inject does when probability is 100.
        /// </summary>
        public void setup(double probability, int seed, long interval = 0, long times = -1)
        {
            if (probability < 0 || probability > 1 || interval < 0)
                throw new ArgumentOutOfRangeException(nameof(probability), $"{name}: probability {probability}, interval {interval}");
            lock (gate)
            {
                this.probability = probability;
                this.interval = interval;
                this.times = times;
                rnd = new Random(seed);
                calls = failures = 0;
            }
        }

        /// <summary>Disables the point.</summary>
        public void disable() => setup(0, 0);

        /// <summary>should_fail: whether this call fails. Counts the call either way.</summary>
        public bool should_fail()
        {
            lock (gate)
            {
                calls++;
                if (times == 0)
                    return false;
                bool fail = interval > 0 ? calls % interval == 0 : probability > 0 && rnd.NextDouble() < probability;
                if (!fail)
                    return false;
                failures++;
                if (times > 0)
                    times--;
                return true;
            }
        }
    }

    /// <summary>The error numbers the port returns (include/uapi/asm-generic/errno-base.h), negated as the kernel returns them.</summary>
    public static class errno
    {
        /// <summary>Interrupted (a walk stopped part-way).</summary>
        public const int EINTR = -4;
        /// <summary>Out of memory.</summary>
        public const int ENOMEM = -12;
        /// <summary>Busy (pages that could not be migrated off memory being offlined).</summary>
        public const int EBUSY = -16;
    }
}
