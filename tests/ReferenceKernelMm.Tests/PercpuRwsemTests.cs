using System.Threading;
using ReferenceKernelMm.include.linux;
using Xunit;
using static ReferenceKernelMm.include.linux.locking;

namespace ReferenceKernelMm.Tests
{
    public class PercpuRwsemTests
    {
        private readonly percpu_rw_semaphore sem = new("test_percpu_rwsem");

        private System.Threading.Tasks.Task Reader(string name, ManualResetEventSlim holding, ManualResetEventSlim release) =>
            TestCpu.Run(name, () =>
            {
                percpu_down_read(sem);
                lockdep.lockdep_assert_held_read(sem);
                holding.Set();
                release.WaitTakingIpis();
                percpu_up_read(sem);
            });

        [Fact]
        public void Readers_run_concurrently()
        {
            using var h1 = new ManualResetEventSlim();
            using var h2 = new ManualResetEventSlim();
            using var release = new ManualResetEventSlim();
            var r1 = Reader("r1", h1, release);
            var r2 = Reader("r2", h2, release);
            h1.Wait("first reader holds");
            h2.Wait("second reader holds while the first does");
            Assert.Equal(2, sem.readers());
            release.Set();
            r1.Wait("r1");
            r2.Wait("r2");
            Assert.Equal(0, sem.readers());
        }

        [Fact]
        public void Writer_waits_for_readers_and_excludes_new_ones()
        {
            using var h1 = new ManualResetEventSlim();
            using var release1 = new ManualResetEventSlim();
            using var writerHolds = new ManualResetEventSlim();
            using var writerRelease = new ManualResetEventSlim();
            using var h2 = new ManualResetEventSlim();
            using var release2 = new ManualResetEventSlim();
            int readersSeenByWriter = -1;
            var r1 = Reader("r1", h1, release1);
            h1.Wait("reader holds");
            var writer = TestCpu.Run("writer", () =>
            {
                percpu_down_write(sem);
                lockdep.lockdep_assert_held(sem);
                readersSeenByWriter = sem.readers();
                writerHolds.Set();
                writerRelease.WaitTakingIpis();
                percpu_up_write(sem);
            });
            Assert.False(writerHolds.Wait(TestCpu.Short), "writer got in while a reader holds");
            TestCpu.Until(() => sem.block, "writer blocked new readers");
            var r2 = Reader("r2", h2, release2);
            release1.Set();
            writerHolds.Wait("writer after the reader left");
            Assert.Equal(0, readersSeenByWriter);
            Assert.False(h2.Wait(TestCpu.Short), "reader got in while the writer holds");
            writerRelease.Set();
            h2.Wait("reader after the writer left");
            release2.Set();
            r1.Wait("r1");
            r2.Wait("r2");
            writer.Wait("writer");
        }

        [Fact]
        public void Writers_exclude_each_other()
        {
            using var firstHolds = new ManualResetEventSlim();
            using var release = new ManualResetEventSlim();
            using var secondHolds = new ManualResetEventSlim();
            var w1 = TestCpu.Run("w1", () =>
            {
                percpu_down_write(sem);
                firstHolds.Set();
                release.WaitTakingIpis();
                percpu_up_write(sem);
            });
            firstHolds.Wait("first writer");
            var w2 = TestCpu.Run("w2", () =>
            {
                percpu_down_write(sem);
                secondHolds.Set();
                percpu_up_write(sem);
            });
            Assert.False(secondHolds.Wait(TestCpu.Short), "two writers at once");
            release.Set();
            w1.Wait("w1");
            w2.Wait("w2");
        }
    }
}
