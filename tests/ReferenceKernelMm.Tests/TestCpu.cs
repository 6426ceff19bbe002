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
        public static readonly TimeSpan Long = TimeSpan.FromSeconds(5);
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
            Assert.True(t.Wait(Long), $"timed out: {what}");
        }

        public static void Wait(this ManualResetEventSlim e, string what)
        {
            Assert.True(e.Wait(Long), $"timed out: {what}");
        }

        /// <summary>Waits until <paramref name="cond"/> holds, failing after <see cref="Long"/>.</summary>
        public static void Until(Func<bool> cond, string what)
        {
            var sw = System.Diagnostics.Stopwatch.StartNew();
            while (!cond())
            {
                Assert.True(sw.Elapsed < Long, $"timed out: {what}");
                Thread.Sleep(1);
            }
        }

        /// <summary>Asserts the task is still blocked after <see cref="Short"/>.</summary>
        public static void StillBlocked(Task t, string what)
        {
            Assert.False(t.Wait(Short), $"should still be blocked: {what}");
        }
    }
}
