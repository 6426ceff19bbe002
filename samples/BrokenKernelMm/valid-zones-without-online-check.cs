using ReferenceKernelMm.include.linux;
using ReferenceKernelMm.mm;
using ReferenceKernelMm.Runtime;
using ReferenceKernelMm.Stress;

namespace BrokenKernelMm
{
    /// <summary>
    /// Bug G9: sysfs valid_zones reading the zone from the memmap of a block that is not online. The memmap of offline
    /// memory is poisoned (absent on s390, set up only at online), so the first read of an offline block is reported.
    /// </summary>
    internal static class valid_zones_without_online_check
    {
        internal static readonly Variant variant = Variant.Replacing(
            "valid-zones-without-online-check", "G9", "show_valid_zones reading struct page without pfn_to_online_page()",
            new[] { "MM2007" }, ViolationKind.UseAfterFree, _ => true, k => k.show_valid_zones, show_valid_zones);

        // drivers/base/memory.c show_valid_zones before the fix: page_zone(pfn_to_page(start)) whatever the block's state.
        private static string show_valid_zones(memory_block mem)
        {
            page p = mmzone.pfn_to_page(mem.start_pfn);
            return mmzone.page_zone(p) == zone_type.ZONE_MOVABLE ? "Movable" : "Normal"; // expect: MM2007
        }
    }
}
