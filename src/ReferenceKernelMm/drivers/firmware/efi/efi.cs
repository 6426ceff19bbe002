using MmLock;
using ReferenceKernelMm.arch.arm64.mm;
using ReferenceKernelMm.include.linux;
using ReferenceKernelMm.mm;
using static ReferenceKernelMm.include.linux.pgtable;

namespace ReferenceKernelMm.drivers.firmware.efi
{
    /// <summary>An EFI runtime region (efi_memory_desc_t): its physical and virtual address, its size, whether it is code.</summary>
    public sealed record efi_memory_desc_t(ulong phys_addr, ulong virt_addr, ulong num_pages, bool code);

    /// <summary>
    /// The EFI runtime services' address space (drivers/firmware/efi/efi.c, arch/arm64/kernel/efi.c): efi_mm has tables
    /// of its own mapping the runtime regions below TASK_SIZE; CPUs switch to it only around runtime calls.
    /// </summary>
    public static class efi
    {
        /// <summary>The EFI runtime mm.</summary>
        public static readonly mm_struct efi_mm = mm_struct.create_efi_mm();

        /// <summary>What ptdump_efi walks (arm64's efi_ptdump_info: 0 to DEFAULT_MAP_WINDOW_64).</summary>
        public static readonly (ulong start, ulong end)[] efi_ptdump_range = { (0, mm_layout.TASK_SIZE) };

        /// <summary>efi_create_mapping (arm64): maps a runtime region in <paramref name="mm"/> with pages; code read-only and executable, data non-executable. 0 or -ENOMEM.</summary>
        [MightSleep]
        public static int efi_create_mapping(mm_struct mm, efi_memory_desc_t md)
        {
            ulong prot = md.code ? PAGE_KERNEL_ROX : PAGE_KERNEL;
            return mmu.create_pgd_mapping(mm, md.phys_addr, md.virt_addr, md.num_pages << PAGE_SHIFT, prot, page_mappings_only: true);
        }

        /// <summary>The efi_page_tables debugfs file: arm64's ptdump of efi_mm.</summary>
        public static ptdump_state ptdump_efi()
        {
            var st = new ptdump_state(efi_ptdump_range);
            ptdump.ptdump_walk_pgd(st, efi_mm);
            return st;
        }
    }
}
