using System;
using System.Threading;
using System.Threading.Tasks;
using ReferenceKernelMm.Runtime;
using Xunit;

// The simulated machine (CPUs, RCU, the violation log) is global: tests run one at a time.
[assembly: CollectionBehavior(DisableTestParallelization = true)]

namespace ReferenceKernelMm.Tests
{
    /// <summary>Helpers to run code on extra simulated CPUs with bounded waits.</summary>
    internal static class TestCpu
    {
        // A hang detector, not a speed check: 5 s timed out on a loaded CI runner (two builds beside the tests), and the
        // timed-out thread then changed the page counts of the next test.
        public static readonly TimeSpan Long = TimeSpan.FromSeconds(30);
        // How long "still blocked" is observed before concluding a wait really waits.
        public static readonly TimeSpan Short = TimeSpan.FromMilliseconds(100);

        /// <summary>Boots the kernel (init_mm and its boot mappings) so that page counts taken afterwards are stable.</summary>
        public static void Boot() => System.Runtime.CompilerServices.RuntimeHelpers.RunClassConstructor(typeof(K).TypeHandle);

        /// <summary>Runs <paramref name="body"/> on a new thread that is a CPU; the task fails with the body's exception.</summary>
        public static Task Run(string name, Action body)
        {
            var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var t = new Thread(() =>
            {
                try
                {
                    using (Smp.cpu_up())
                        body();
                    done.SetResult();
                }
                catch (Exception e)
                {
                    done.SetException(e);
                }
            }) { Name = name, IsBackground = true };
            t.Start();
            return done.Task;
        }

        public static void Wait(this Task t, string what)
        {
            Assert.True(Poll(t.Wait, Long), $"timed out: {what}");
        }

        public static void Wait(this ManualResetEventSlim e, string what)
        {
            Assert.True(Poll(e.Wait, Long), $"timed out: {what}");
        }

        /// <summary>Waits up to <see cref="Long"/> like user code on a CPU: the CPU still takes IPIs and stops for stop_machine.</summary>
        public static bool WaitTakingIpis(this ManualResetEventSlim e) => Poll(e.Wait, Long);

        /// <inheritdoc cref="WaitTakingIpis(ManualResetEventSlim)"/>
        public static bool WaitTakingIpis(this Task t) => Poll(t.Wait, Long);

        // A thread that is a CPU and waits outside the kernel keeps taking interrupts.
        private static bool Poll(Func<int, bool> wait, TimeSpan timeout)
        {
            var sw = System.Diagnostics.Stopwatch.StartNew();
            while (!wait(1))
            {
                Smp.interrupt_point();
                if (sw.Elapsed > timeout)
                    return false;
            }
            return true;
        }

        /// <summary>Waits until <paramref name="cond"/> holds, failing after <see cref="Long"/>.</summary>
        public static void Until(Func<bool> cond, string what)
        {
            var sw = System.Diagnostics.Stopwatch.StartNew();
            while (!cond())
            {
                Assert.True(sw.Elapsed < Long, $"timed out: {what}");
                Thread.Sleep(1);
                Smp.interrupt_point();
            }
        }

        /// <summary>Asserts the task is still blocked after <see cref="Short"/>.</summary>
        public static void StillBlocked(Task t, string what)
        {
            Assert.False(Poll(t.Wait, Short), $"should still be blocked: {what}");
        }
    }
}
