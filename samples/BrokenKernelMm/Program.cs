using ReferenceKernelMm.Stress;

namespace BrokenKernelMm
{
    /// <summary>Hosts the stress driver with the broken variants: dotnet run --project samples/BrokenKernelMm -- --variant NAME.</summary>
    internal static class Program
    {
        private static readonly Variant[] variants =
        {
            ptdump_without_get_online_mems.variant,
            ptdump_novma_without_get_online_mems.variant,
            follow_page_under_mmap_lock.variant,
            follow_page_entry_after_unlock.variant,
            gup_fast_under_rcu.variant,
            gup_fast_slow_path_with_irqs_off.variant,
            valid_zones_without_online_check.variant,
            offline_without_hotplug_lock.variant,
            remove_without_hotplug_lock.variant,
        };

        private static int Main(string[] args) => StressMain.Run(args, variants, "BrokenKernelMm");
    }
}
