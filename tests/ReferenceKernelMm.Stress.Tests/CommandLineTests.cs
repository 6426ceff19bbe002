using System.Linq;
using System.Text.RegularExpressions;
using ReferenceKernelMm.arch;
using Xunit;

namespace ReferenceKernelMm.Stress.Tests
{
    public class CommandLineTests
    {
        [Fact]
        public void Help_prints_the_usage_and_exits_clean()
        {
            Driver.Result r = Driver.Run(Driver.Stress, "--help");
            Assert.Equal(ExitCode.Clean, r.exit);
            Assert.Contains("--variant NAME", r.stdout);
            Assert.Contains("exit codes", r.stdout);
        }

        [Fact]
        public void Bad_usage_exits_with_the_usage_code_and_says_why()
        {
            Driver.Result r = Driver.Run(Driver.Stress, "--cpus", "99");
            Assert.Equal(ExitCode.Usage, r.exit);
            Assert.Contains("--cpus needs an integer from 1 to 32", r.stderr);
        }

        [Fact]
        public void A_profile_other_than_the_builds_is_refused_with_the_rebuild_hint()
        {
            string other = ArchProfile.All.Keys.First(p => p != ArchProfile.Current.Name);
            Driver.Result r = Driver.Run(Driver.Stress, "--profile", other, "--duration", "1");
            Assert.Equal(ExitCode.Usage, r.exit);
            Assert.Contains($"this build is for profile '{ArchProfile.Current.Name}'", r.stderr);
            Assert.Contains($"-p:MmArch={other}", r.stderr);

            Assert.Equal(ExitCode.Usage, Driver.Run(Driver.Stress, "--profile", "vax").exit);
            Assert.Equal(ExitCode.Clean, Driver.Run(Driver.Stress, "--profile", ArchProfile.Current.Name, "--plan", "1").exit);
        }

        [Fact]
        public void The_clean_driver_has_no_variants()
        {
            Driver.Result r = Driver.Run(Driver.Stress, "--variant", "ptdump-without-get-online-mems");
            Assert.Equal(ExitCode.Usage, r.exit);
            Assert.Contains("samples/BrokenKernelMm", r.stderr);
        }

        [Fact]
        public void A_seed_fixes_each_CPUs_choice_of_operations()
        {
            string a = Driver.Run(Driver.Stress, "--plan", "50", "--seed", "42").stdout;
            string b = Driver.Run(Driver.Stress, "--plan", "50", "--seed", "42").stdout;
            string c = Driver.Run(Driver.Stress, "--plan", "50", "--seed", "43").stdout;
            Assert.Equal(a, b);
            Assert.NotEqual(a, c);
            Assert.Equal(8, a.Split('\n').Count(l => l.StartsWith("cpu", System.StringComparison.Ordinal)));
        }

        [Fact]
        public void The_watchdog_reports_an_operation_that_makes_no_progress_with_every_CPUs_locks()
        {
            // A 1 s window length holds the hugetlb lookup up for 200 s, far past a 0.5 s watchdog.
            Driver.Result r = Driver.Run(Driver.Stress, "--duration", "20", "--seed", "1", "--window-ms", "1000", "--watchdog", "0.5");
            Assert.True(r.exit == ExitCode.Violation, r.stdout + r.stderr);
            Assert.Matches(@"watchdog: CPU \d+ made no progress for [\d.]+ s in \w+", r.stdout);
            Assert.Matches(@"CPU \d+: IRQs (on|off), preempt_count \d+, rcu_nesting \d+, \d+ IPIs pending, (asleep in a kernel wait|sleep depth \d+), holds \[", r.stdout);
        }

        [Fact]
        public void A_short_clean_run_exits_clean_with_every_kind_of_operation_done()
        {
            // 8 s: ptdump_check_wx has weight 1 of about 160, and seed 1's first 3 s (about 400 operations) hold none of it.
            Driver.Result r = Driver.Run(Driver.Stress, "--duration", "8", "--seed", "1");
            Assert.True(r.exit == ExitCode.Clean, r.stdout + r.stderr);
            Assert.Contains("violations: none", r.stdout);
            string summary = r.stdout[r.stdout.IndexOf("== summary", System.StringComparison.Ordinal)..];
            var counts = Regex.Matches(summary, @"^  (\w+) +(\d+)$", RegexOptions.Multiline);
            string[] kinds = ["hot_add", "online", "offline", "hot_remove", "udev_online", "kmemleak_scan", "ptdump", "ptdump_check_wx", "vmap", "ioremap", "valid_zones",
                "hugetlb_alloc", "hugetlb_free", "hugetlb_fault", "hugetlb_unshare", "hugetlb_punch_hole", "hugetlb_follow_page",
                "walk_hugetlb_range", "copy_hugetlb_page_range", "gup_fast"];
            if (ArchProfile.Current.HugetlbVmemmapOptimize)
                kinds = [.. kinds, "hvo"];
            foreach (string kind in kinds)
            {
                Match? m = counts.FirstOrDefault(x => x.Groups[1].Value == kind);
                Assert.True(m != null && long.Parse(m.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture) > 0, $"no {kind} operation:\n{summary}");
            }
        }
    }
}
