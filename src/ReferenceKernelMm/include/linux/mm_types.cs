using System.Collections.Generic;
using MmLock;
using ReferenceKernelMm.Runtime;

namespace ReferenceKernelMm.include.linux
{
    /// <summary>An address space: its page tables and the two locks that guard them.</summary>
    public sealed class mm_struct
    {
        private mm_struct(string name, string lock_class)
        {
            this.name = name;
            mmap_lock = new rw_semaphore($"{lock_class}.mmap_lock");
            page_table_lock = new spinlock_t($"{lock_class}.page_table_lock");
            pgd = pgtable.table_alloc(pt_level.pgd, $"pgd_alloc({name})");
        }

        /// <summary>A new user mm (mm_alloc); allocating its pgd may sleep.</summary>
        [MightSleep]
        public static mm_struct mm_alloc(string name) => new(name, "mm");

        // init_mm's locks are statically initialised in the kernel, so they form lock classes of their own.
        internal static mm_struct create_init_mm() => new("init_mm", "init_mm");

        // efi_mm is statically initialised too.
        internal static mm_struct create_efi_mm() => new("efi_mm", "efi_mm");

        /// <summary>For messages.</summary>
        public readonly string name;

        /// <summary>The top-level table (swapper_pg_dir for init_mm).</summary>
        public readonly pgtable_t pgd;

        /// <summary>Guards the VMA tree; for init_mm, taken by ptdump (write) and huge-vmap table freeing (read).</summary>
        public readonly rw_semaphore mmap_lock;

        /// <summary>Serialises populating empty non-leaf entries (pXd_alloc) and some leaf updates.</summary>
        [AcquiredAfter("this.mmap_lock")]
        public readonly spinlock_t page_table_lock;

        /// <summary>The mm's VMAs.</summary>
        [GuardedBy("this.mmap_lock")]
        public readonly List<vm_area_struct> mmap = new();

        /// <inheritdoc />
        public override string ToString() => name;
    }

    /// <summary>VMA flags the port uses.</summary>
    [System.Flags]
    public enum vm_flags_t : ulong
    {
        /// <summary>None.</summary>
        none = 0,
        /// <summary>A shared mapping (hugetlb PMD sharing applies).</summary>
        VM_MAYSHARE = 1 << 7,
        /// <summary>A hugetlb mapping.</summary>
        VM_HUGETLB = 1 << 22,
    }

    /// <summary>A virtual memory area of a user mm.</summary>
    public sealed class vm_area_struct
    {
        /// <summary>Creates a VMA [start, end) of <paramref name="mm"/>.</summary>
        public vm_area_struct(mm_struct mm, ulong start, ulong end, vm_flags_t flags, @file? file, ulong pgoff)
        {
            vm_mm = mm;
            vm_start = start;
            vm_end = end;
            vm_flags = flags;
            vm_file = file;
            vm_pgoff = pgoff;
        }

        /// <summary>Owning mm.</summary>
        public readonly mm_struct vm_mm;
        /// <summary>First address.</summary>
        public readonly ulong vm_start;
        /// <summary>End address (exclusive).</summary>
        public readonly ulong vm_end;
        /// <summary>Flags.</summary>
        public readonly vm_flags_t vm_flags;
        /// <summary>Mapped file, if any.</summary>
        public readonly @file? vm_file;
        /// <summary>Offset in the file, in pages.</summary>
        public readonly ulong vm_pgoff;

        /// <summary>For a shareable hugetlb VMA, its vma lock (the kernel keeps it in vm_private_data).</summary>
        public hugetlb_vma_lock? vm_private_data;
    }

    /// <summary>An open file: only its mapping matters here.</summary>
    public sealed class @file
    {
        /// <summary>Creates a file with a fresh address_space.</summary>
        public @file(string name) { f_mapping = new address_space(name); }

        /// <summary>The page cache / mapping object.</summary>
        public readonly address_space f_mapping;
    }

    /// <summary>The i_mmap_rwsem type: a distinct context type so "any" can name it apart from other rw_semaphores.</summary>
    public sealed class i_mmap_rw_semaphore : rw_semaphore
    {
        internal i_mmap_rw_semaphore() : base("mapping.i_mmap_rwsem") { }
    }

    /// <summary>A file's mapping: the reverse map of its VMAs and the lock guarding it.</summary>
    public sealed class address_space
    {
        internal address_space(string name) { host = name; }

        /// <summary>The file name, for messages.</summary>
        public readonly string host;

        /// <summary>Guards <see cref="i_mmap"/>; held for write while hugetlb PMDs are unshared.</summary>
        public readonly i_mmap_rw_semaphore i_mmap_rwsem = new();

        /// <summary>The VMAs mapping this file (the kernel's interval tree).</summary>
        [GuardedBy("this.i_mmap_rwsem")]
        public readonly List<vm_area_struct> i_mmap = new();
    }

    /// <summary>The hugetlb vma lock: a per-VMA rw_semaphore that keeps shared PMDs from being unshared under a walker.</summary>
    [Context]
    public sealed class hugetlb_vma_lock
    {
        internal hugetlb_vma_lock(vm_area_struct vma) { this.vma = vma; }

        internal readonly rw_semaphore rw_sema = new("hugetlb_vma_lock.rw_sema");

        /// <summary>The VMA it belongs to.</summary>
        public readonly vm_area_struct vma;
    }
}
