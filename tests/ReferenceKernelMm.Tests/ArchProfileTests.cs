using ReferenceKernelMm.arch;
using Xunit;

namespace ReferenceKernelMm.Tests
{
    public class ArchProfileTests
    {
        [Fact]
        public void The_run_time_profile_matches_the_build_configuration_table()
        {
            Assert.True(ArchProfile.All.TryGetValue(ArchProfile.Current.Name, out ArchProfile? expected), ArchProfile.Current.Name);
            Assert.Equal(expected, ArchProfile.Current);
        }

        [Fact]
        public void Only_the_legacy_profile_lacks_RCU_table_freeing()
        {
            foreach (ArchProfile p in ArchProfile.All.Values)
                Assert.Equal(p.Name != "x86_64-legacy", p.MmuGatherRcuTableFree);
        }
    }
}
