using System.Linq;
using System.Threading;
using ReferenceKernelMm.Runtime;
using Xunit;

namespace ReferenceKernelMm.Tests
{
    public class KcsanTests
    {
        private static Violation[] RacesSince(int before) =>
            ViolationLog.Snapshot().Skip(before).Where(v => v.Kind == ViolationKind.DataRace).ToArray();

        [Fact]
        public void A_read_during_another_CPUs_write_is_a_data_race_naming_both()
        {
            var data = new object();
            int before = ViolationLog.Count;
            using var inside = new ManualResetEventSlim();
            using var release = new ManualResetEventSlim();
            var writer = TestCpu.Run("writer", () =>
            {
                using (Kcsan.write(data, "test writer"))
                {
                    inside.Set();
                    release.Wait("release");
                }
            });
            inside.Wait("writer inside its access");
            TestCpu.Run("reader", () =>
            {
                using (Kcsan.read(data, "test reader")) { }
            }).Wait("reader");
            release.Set();
            writer.Wait("writer");

            Violation race = Assert.Single(RacesSince(before));
            Assert.StartsWith("data race: read by test reader on CPU ", race.Message);
            Assert.Contains("(the last to begin: test writer on CPU ", race.Message);
        }

        [Fact]
        public void A_write_during_another_CPUs_read_is_a_data_race()
        {
            var data = new object();
            int before = ViolationLog.Count;
            using var inside = new ManualResetEventSlim();
            using var release = new ManualResetEventSlim();
            var reader = TestCpu.Run("reader", () =>
            {
                using (Kcsan.read(data, "test reader"))
                {
                    inside.Set();
                    release.Wait("release");
                }
            });
            inside.Wait("reader inside its access");
            TestCpu.Run("writer", () =>
            {
                using (Kcsan.write(data, "test writer")) { }
            }).Wait("writer");
            release.Set();
            reader.Wait("reader");

            Assert.StartsWith("data race: write by test writer on CPU ", Assert.Single(RacesSince(before)).Message);
        }

        [Fact]
        public void Overlapping_reads_and_accesses_one_after_another_are_not_races()
        {
            var data = new object();
            int before = ViolationLog.Count;
            using var inside = new ManualResetEventSlim();
            using var release = new ManualResetEventSlim();
            var first = TestCpu.Run("reader 1", () =>
            {
                using (Kcsan.read(data, "reader 1"))
                {
                    inside.Set();
                    release.Wait("release");
                }
            });
            inside.Wait("first reader inside");
            TestCpu.Run("reader 2", () =>
            {
                using (Kcsan.read(data, "reader 2")) { }
            }).Wait("second reader");
            release.Set();
            first.Wait("first reader");
            TestCpu.Run("writer", () =>
            {
                using (Kcsan.write(data, "writer")) { }
                using (Kcsan.write(data, "writer again")) { }
                using (Kcsan.read(data, "reader after")) { }
            }).Wait("writer");

            Assert.Empty(RacesSince(before));
        }
    }
}
