using System.Collections.Generic;

namespace ReferenceKernelMm.arch
{
    /// <summary>
    /// The facts of one architecture profile (kernel-rules.md §F) at run time. The build picks one with
    /// the MmArch property (ArchProfiles.props), which sets the same facts as preprocessor symbols;
    /// <see cref="Current"/> is derived from those symbols so the two can never disagree.
    /// </summary>
    public sealed record ArchProfile(
        string Name,
        bool ArchWantHugePmdShare,
        bool MmuGatherRcuTableFree,
        bool HugetlbVmemmapOptimize,
        bool MemoryHotremove,
        bool HaveArchHugeVmap,
        bool MemmapOnOnline,
        bool TlbFlushByIpi)
    {
        /// <summary>CONFIG_HUGETLB_PMD_PAGE_TABLE_SHARING (ARCH_WANT_HUGE_PMD_SHARE and split PMD locks, on in every profile that wants sharing).</summary>
        public bool HugetlbPmdPageTableSharing => ArchWantHugePmdShare;

        /// <summary>Every profile, by name.</summary>
        public static readonly IReadOnlyDictionary<string, ArchProfile> All = new Dictionary<string, ArchProfile>
        {
            ["x86_64"] = new("x86_64", true, true, true, true, true, false, true),
            ["x86_64-legacy"] = new("x86_64-legacy", true, false, true, true, true, false, true),
            ["arm64"] = new("arm64", true, true, false, true, true, false, false),
            ["riscv64"] = new("riscv64", true, true, false, true, true, false, true),
            ["powerpc64"] = new("powerpc64", false, true, false, true, true, false, false),
            ["s390x"] = new("s390x", false, true, false, true, false, true, false),
        };

        /// <summary>The profile this assembly was built for.</summary>
        public static readonly ArchProfile Current = new(
#if CONFIG_X86_64 && !CONFIG_MMU_GATHER_RCU_TABLE_FREE
            "x86_64-legacy",
#elif CONFIG_X86_64
            "x86_64",
#elif CONFIG_ARM64
            "arm64",
#elif CONFIG_RISCV
            "riscv64",
#elif CONFIG_PPC64
            "powerpc64",
#elif CONFIG_S390
            "s390x",
#else
            "unknown",
#endif
#if CONFIG_ARCH_WANT_HUGE_PMD_SHARE
            ArchWantHugePmdShare: true,
#else
            ArchWantHugePmdShare: false,
#endif
#if CONFIG_MMU_GATHER_RCU_TABLE_FREE
            MmuGatherRcuTableFree: true,
#else
            MmuGatherRcuTableFree: false,
#endif
#if CONFIG_HUGETLB_PAGE_OPTIMIZE_VMEMMAP
            HugetlbVmemmapOptimize: true,
#else
            HugetlbVmemmapOptimize: false,
#endif
#if CONFIG_MEMORY_HOTREMOVE
            MemoryHotremove: true,
#else
            MemoryHotremove: false,
#endif
#if CONFIG_HAVE_ARCH_HUGE_VMAP
            HaveArchHugeVmap: true,
#else
            HaveArchHugeVmap: false,
#endif
#if CONFIG_MEMMAP_ON_ONLINE
            MemmapOnOnline: true,
#else
            MemmapOnOnline: false,
#endif
#if CONFIG_X86 || CONFIG_RISCV
            TlbFlushByIpi: true
#else
            TlbFlushByIpi: false
#endif
        );
    }
}
