using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Threading;
using MmLock;
using ReferenceKernelMm.hugetlbfs;
using ReferenceKernelMm.include.linux;
using ReferenceKernelMm.mm;
using ReferenceKernelMm.Runtime;
using static ReferenceKernelMm.include.linux.pgtable;

namespace ReferenceKernelMm.Stress
{
    /// <summary>One choice of a CPU: which operation, and two random numbers it turns into its arguments.</summary>
    public readonly record struct Choice(int op, int a, int b);

    /// <summary>
    /// An operation the CPUs pick from: its name, how often it is picked relative to the others, how it names its
    /// arguments, what it runs.
    /// </summary>
    public sealed record Operation(string name, int weight, Func<Choice, string> describe, Action<Choice, Counters> run);

    /// <summary>
    /// The machine the operations share and the operations themselves. Every operation draws its arguments from the
    /// choice alone, so a seed fixes the sequence of operations; what each finds (a block online or not, a VMA mapped
    /// or not) depends on the interleaving. The driver's own claims (a hotplug slot, a hugetlb slot) are taken before
    /// any kernel lock and one at a time, so they cannot deadlock with the kernel's locks.
    /// </summary>
    public sealed class Workload
    {
        // Hotplug: two memory blocks in one 1 GiB region, sharing a PMD table of the linear map; the first takes its memmap
        // from boot memory (2 MiB vmemmap blocks), the second from the added range (altmap). Few blocks keep ptdump short.
        private const int NR_HOTPLUG = 2;
        // hugetlb: a few processes mapping a hugetlbfs file at the same 1 GiB-aligned address, so they share its PMD table;
        // one file, so that sharing, hole punching and the last sharer's munmap meet often.
        private const int NR_MM = 4, NR_FILES = 1, NR_HPAGES = 8;
        // Device memory for vmap/ioremap, 1 GiB aligned: never RAM.
        private const ulong DEVICE_PHYS = 0x80_0000_0000UL;

        private sealed class hotplug_slot
        {
            public hotplug_slot(ulong start, mhp_t flags) { this.start = start; this.flags = flags; }
            public readonly ulong start;
            public readonly mhp_t flags;
            public memory_block? block;
            public bool added, online;
        }

        private sealed class hugetlb_slot
        {
            public bool mapped;
        }

        private readonly KernelFunctions fns;
        private readonly hotplug_slot[] hotplug = new hotplug_slot[NR_HOTPLUG];
        // Two adjacent blocks added together and removed together with offline_and_remove_memory, whose offline may fail
        // half-way (--fail-offline): the block offlined first is onlined again. Its own 1 GiB region, away from the others.
        private readonly hotplug_slot pair = new(4 * PUD_SIZE, mhp_t.MHP_NONE);
        private readonly mm_struct[] mms = new mm_struct[NR_MM];
        private readonly @file[] files = new @file[NR_FILES];
        private readonly hugetlb_slot[,] vmas = new hugetlb_slot[NR_MM, NR_FILES];
        // The mm (plus one) of the GUP this CPU runs, and per mm the GUPs in flight and those held in their race window:
        // slow ones (hugetlb_follow_page_mask, under the mmap lock) and fast ones (gup_fast, under no lock). hugetlb_exit reads them.
        [ThreadStatic] private static int gup_mm;
        private readonly int[] slow_gups = new int[NR_MM], slow_gups_in_window = new int[NR_MM], fast_gups_in_window = new int[NR_MM];
        // Kernel table walkers (ptdump) held in their race window; hot_remove_during_ptdump reads it.
        private int kernel_walkers_in_window;
#if CONFIG_HUGETLB_PAGE_OPTIMIZE_VMEMMAP
        // A block added at setup and never removed: HVO works on huge pages the caller owns (hot-remove would dissolve them first).
        private const ulong HVO_START = 8 * PUD_SIZE;
        private readonly object[] hvo_pages = new object[(int)(mmzone.SECTION_SIZE / hugetlb.HPAGE_SIZE)];
#endif

        // Kernel text that stop_machine patches (arm64's aarch64_insn_patch_text, x86's text_poke fallback). Every CPU
        // executes it; text_exec does so with IRQs off, where no stop catches a CPU half-way, so only the stop keeps the
        // patch and the execution apart, and KCSAN sees them overlap without it.
        private readonly object kernel_text = new();
#if CONFIG_ARM64
        // The 2017 hot-add path maps this range (page granularity) and unmaps it again; nothing else uses it.
        private const ulong HOTPLUG_PAGING_START = 7 * PUD_SIZE, HOTPLUG_PAGING_SIZE = PMD_SIZE;
        // The EFI runtime regions mapped in efi_mm at setup, as at boot: (physical, virtual, pages, code).
        private static readonly drivers.firmware.efi.efi_memory_desc_t[] efi_regions =
        {
            new(0x20_0000, 0x4000_0000, 2, code: true),
            new(0x30_0000, 0x4000_0000 + PMD_SIZE, 3, code: false),
        };
#endif

        /// <summary>The operations, in the order choices index them.</summary>
        public readonly IReadOnlyList<Operation> operations;

        // Cumulative weights: operation i is picked for draws in [weights[i], weights[i + 1]).
        private readonly int[] weights;

        /// <summary>The next choice of a CPU: a function of its random numbers only.</summary>
        public Choice next(Random rng)
        {
            int draw = rng.Next(weights[^1]);
            int op = Array.BinarySearch(weights, draw);
            return new Choice(op >= 0 ? op : ~op - 1, rng.Next(), rng.Next());
        }

        /// <summary>Every counter name, in display order.</summary>
        public readonly IReadOnlyList<string> counter_names;

        /// <summary>Creates the workload over <paramref name="fns"/>; call <see cref="setup"/> on a CPU before running it.</summary>
        public Workload(KernelFunctions fns)
        {
            this.fns = fns;
            for (int s = 0; s < NR_HOTPLUG; s++)
                hotplug[s] = new hotplug_slot(PUD_SIZE + (ulong)s * (PUD_SIZE / 2),
                    s % 2 == 0 ? mhp_t.MHP_NONE : mhp_t.MHP_MEMMAP_ON_MEMORY);
            for (int f = 0; f < NR_FILES; f++)
                files[f] = new @file($"hugetlbfs-{f}");
            for (int m = 0; m < NR_MM; m++)
                for (int f = 0; f < NR_FILES; f++)
                    vmas[m, f] = new hugetlb_slot();
            // Memory hotplug, ptdump and HVO take tens to hundreds of milliseconds (they also wait for each other's locks),
            // the rest a few at most: the slow ones are picked less often.
            var ops = new List<Operation>
            {
                new("memory_hotplug", 6, c => $"memory_hotplug(block {c.a % NR_HOTPLUG})", memory_hotplug_step),
                new("hot_remove_during_ptdump", 4, _ => "hot_remove_during_ptdump(every block)", hot_remove_during_ptdump),
                new("offline_and_remove", 2, _ => "offline_and_remove_memory(2 blocks)", offline_and_remove),
                new("udev_online", 4, c => $"udev_online(pair block {c.a % 2})", udev_online),
                new("kmemleak_scan", 4, _ => "kmemleak_scan(struct pages of hot-added memory)", kmemleak_scan),
#if CONFIG_HUGETLB_PAGE_OPTIMIZE_VMEMMAP
                new("hvo", 4, c => $"hvo(huge page {c.a % hvo_pages.Length})", hvo),
#endif
                new("ptdump", 2, _ => "ptdump", ptdump_step),
                new("ptdump_check_wx", 1, _ => "ptdump_check_wx", ptdump_check_wx),
                new("vmap", 8, c => $"vmap({vmap_pages(c)} pages)", vmap),
                new("ioremap", 8, c => $"ioremap(0x{ioremap_args(c).size:x} bytes)", ioremap),
                new("valid_zones", 2, c => $"valid_zones(block {c.a % NR_HOTPLUG})", valid_zones),
                new("hugetlb_cycle", 24, c => $"hugetlb_cycle(mm{c.a % NR_MM}, file{c.b % NR_FILES})", hugetlb_cycle),
                new("hugetlb_fault", 16, c => $"hugetlb_fault(mm{c.a % NR_MM}, file{c.b % NR_FILES}, page {hpage(c)})", hugetlb_fault),
                new("hugetlb_unshare", 4, c => $"hugetlb_unshare_all_pmds(mm{c.a % NR_MM}, file{c.b % NR_FILES})", hugetlb_unshare),
                new("hugetlb_punch_hole", 16, c => $"hugetlbfs_punch_hole(file{c.b % NR_FILES})", (c, n) => { inode.hugetlbfs_punch_hole(files[c.b % NR_FILES]); n.add("hugetlb_punch_hole"); }),
                new("hugetlb_exit", 8, c => $"hugetlb_exit(file{c.b % NR_FILES}, during a {(exit_during_slow_gup(c) ? "slow" : "fast")} GUP)", hugetlb_exit),
                new("hugetlb_follow_page", 16, c => $"hugetlb_follow_page_mask(mm{c.a % NR_MM}, file{c.b % NR_FILES}, page {hpage(c)})", hugetlb_follow_page),
                new("walk_hugetlb_range", 8, c => $"walk_hugetlb_range(mm{c.a % NR_MM}, file{c.b % NR_FILES})", walk_hugetlb_range),
                new("copy_hugetlb_page_range", 4, c => $"copy_hugetlb_page_range(mm{fork_pair(c).src} -> mm{fork_pair(c).dst}, file{c.b % NR_FILES})", copy_hugetlb_page_range),
                new("gup_fast", 16, c => $"gup_fast(mm{c.a % NR_MM}, file{c.b % NR_FILES}, page {hpage(c)})", gup_fast),
                new("stop_machine", 2, _ => "stop_machine(patch kernel text)", stop_machine),
                new("text_exec", 8, _ => "execute kernel text (IRQs off)", text_exec),
#if CONFIG_ARM64
                new("hotplug_paging", 2, _ => "hotplug_paging (2017 arm64 hot-add)", hotplug_paging),
                new("ptdump_efi", 2, _ => "ptdump_efi", ptdump_efi),
#endif
            };
            operations = ops;
            weights = new int[ops.Count + 1];
            for (int i = 0; i < ops.Count; i++)
                weights[i + 1] = weights[i] + ops[i].weight;
            counter_names = new List<string>
            {
                "hot_add", "online", "offline", "hot_remove", "hot_remove_during_ptdump", "offline_and_remove", "udev_online", "kmemleak_scan",
#if CONFIG_HUGETLB_PAGE_OPTIMIZE_VMEMMAP
                "hvo",
#endif
                "ptdump", "ptdump_check_wx", "vmap", "ioremap", "valid_zones",
                "hugetlb_alloc", "hugetlb_free", "hugetlb_fault", "hugetlb_unshare", "hugetlb_punch_hole", "hugetlb_exit",
                "hugetlb_follow_page", "walk_hugetlb_range", "copy_hugetlb_page_range", "gup_fast",
                "stop_machine", "text_exec",
#if CONFIG_ARM64
                "hotplug_paging", "ptdump_efi",
#endif
            };
        }

        /// <summary>Boots the kernel and creates the processes; with HVO, adds the block whose huge pages HVO works on. Runs on a CPU.</summary>
        public void setup()
        {
            // Boot here, before any CPU starts: start_kernel runs in K's type initializer, and a CPU stopped by stop_machine
            // inside it would leave the CPUs touching K next blocked on the initializer, outside kernel code, unstoppable.
            System.Runtime.CompilerServices.RuntimeHelpers.RunClassConstructor(typeof(K).TypeHandle);
            for (int m = 0; m < NR_MM; m++)
                mms[m] = mm_struct.mm_alloc($"mm{m}");
#if CONFIG_HUGETLB_PAGE_OPTIMIZE_VMEMMAP
            for (int i = 0; i < hvo_pages.Length; i++)
                hvo_pages[i] = new object();
            ViolationLog.BUG_ON(memory_hotplug.add_memory(0, HVO_START, mmzone.memory_block_size_bytes(), mhp_t.MHP_NONE) != 0, "setup: HVO block not added");
#endif
#if CONFIG_ARM64
            foreach (drivers.firmware.efi.efi_memory_desc_t md in efi_regions)
                ViolationLog.BUG_ON(drivers.firmware.efi.efi.efi_create_mapping(drivers.firmware.efi.efi.efi_mm, md) != 0, "setup: EFI region not mapped");
#endif
        }

        /// <summary>
        /// After the run, on the only CPU: every page table linked from a root (none leaked, none freed while linked, shares
        /// counted), and each mapping and memory block where the operations left it. Returns the problems found.
        /// </summary>
        public List<string> end_of_run_check()
        {
            var roots = new List<mm_struct> { K.init_mm, drivers.firmware.efi.efi.efi_mm };
            roots.AddRange(mms);
            List<string> problems = table_audit.check(roots);
            problems.AddRange(table_audit.check_rmap(mms));
            for (int m = 0; m < NR_MM; m++)
            {
                for (int f = 0; f < NR_FILES; f++)
                {
                    mmap_lock.mmap_read_lock(mms[m]);
                    vm_area_struct? vma = mmap.vma_lookup(mms[m], hva(f));
                    mmap_lock.mmap_read_unlock(mms[m]);
                    if ((vma != null) != vmas[m, f].mapped)
                        problems.Add($"mm{m} file{f}: {(vmas[m, f].mapped ? "mapped, but its VMA is gone" : "unmapped, but a VMA is there")}");
                }
            }
            foreach (hotplug_slot s in hotplug)
                if (memory_hotplug.memory_blocks.ContainsKey(s.start >> PAGE_SHIFT) != s.added)
                    problems.Add($"memory block at 0x{s.start:x}: {(s.added ? "added, but gone" : "removed, but still there")}");
            ulong block = mmzone.memory_block_size_bytes();
            for (ulong b = pair.start; b < pair.start + 2 * block; b += block)
            {
                bool present = memory_hotplug.memory_blocks.TryGetValue(b >> PAGE_SHIFT, out memory_block? mem);
                if (present != pair.added)
                    problems.Add($"memory block at 0x{b:x}: {(pair.added ? "added, but gone" : "removed, but still there")}");
                // Offline that failed and was rolled back leaves the block online, with its memmap readable.
                if (present && pair.online && memory_hotplug.pfn_to_online_page(b >> PAGE_SHIFT) == null)
                    problems.Add($"memory block at 0x{b:x}: should be online after a failed offline_and_remove_memory, is not");
            }
            // Every page of boot memory accounted for: a table, a vmemmap page, or free (a failed hot-add leaks none).
            problems.AddRange(table_audit.check_pages());
            // Nothing left held: a stopped walker or a rolled-back hot-remove releases every lock it took.
            problems.AddRange(table_audit.check_locks(roots));
            return problems;
        }

        private static ulong hva(int file) => (ulong)(file + 1) * 8 * PUD_SIZE;

        private static int hpage(Choice c) => c.b / NR_FILES % NR_HPAGES;

        private static ulong haddr(Choice c) => hva(c.b % NR_FILES) + (ulong)hpage(c) * hugetlb.HPAGE_SIZE;

        // Takes the block through its cycle: added, online, offline, then online again or removed.
        private void memory_hotplug_step(Choice c, Counters n)
        {
            hotplug_slot s = hotplug[c.a % NR_HOTPLUG];
            ulong size = mmzone.memory_block_size_bytes();
            using (UserLock.hold(s))
            {
                if (!s.added)
                    hot_add(s, size, n);
                else if (s.online)
                    offline(s, n);
                else if (c.b % 2 == 0)
                    online(s, n);
                else
                    hot_remove(s, size, n);
            }
        }

        // false when add_memory failed (-ENOMEM, rolled back): the block stays absent.
        private bool hot_add(hotplug_slot s, ulong size, Counters n)
        {
            if (memory_hotplug.add_memory(0, s.start, size, s.flags) != 0)
            {
                n.add("hot_add (ENOMEM, rolled back)");
                return false;
            }
            s.block = memory_hotplug.memory_blocks[s.start >> PAGE_SHIFT];
            s.added = true;
            n.add("hot_add");
            return true;
        }

        private void online(hotplug_slot s, Counters n)
        {
            if (memory_hotplug.online_memory_block(s.block!) != 0)
            {
                n.add("online (ENOMEM)");
                return;
            }
            s.online = true;
            n.add("online");
        }

        // false when offline_pages failed (-EBUSY): the block stays online.
        private bool offline(hotplug_slot s, Counters n)
        {
            if (fns.offline_memory_block.fn(s.block!) != 0)
            {
                n.add("offline (EBUSY)");
                return false;
            }
            s.online = false;
            n.add("offline");
            return true;
        }

        private void hot_remove(hotplug_slot s, ulong size, Counters n)
        {
            int rc = fns.remove_memory.fn(s.start, size);
            ViolationLog.BUG_ON(rc != 0, $"remove_memory of an offline block returned {rc}");
            s.added = false;
            s.block = null;
            n.add("hot_remove");
        }

        // Memory leaves while a kernel walker sits in its race window: every block is brought to offline (added first if
        // it is not), then, once a ptdump is held up, all are removed, which also frees the linear map's PMD table they
        // share (bug G1: only get_online_mems holds the removal back until the walk is done). With no walker held up
        // within a while the blocks stay offline for the next try. The slots are claimed with TryEnter, in order, so
        // these claims cannot deadlock with memory_hotplug_step's.
        private void hot_remove_during_ptdump(Choice c, Counters n)
        {
            int claimed = 0;
            try
            {
                for (; claimed < NR_HOTPLUG; claimed++)
                {
                    if (!Monitor.TryEnter(hotplug[claimed]))
                    {
                        n.add("hot_remove_during_ptdump (block busy)");
                        return;
                    }
                }
                ulong size = mmzone.memory_block_size_bytes();
                foreach (hotplug_slot s in hotplug)
                {
                    if (!s.added) hot_add(s, size, n);
                    else if (s.online) offline(s, n);
                }
                // An injected fault left a block absent or online: not ready for the removal.
                foreach (hotplug_slot s in hotplug)
                {
                    if (!s.added || s.online)
                    {
                        n.add("hot_remove_during_ptdump (block not ready)");
                        return;
                    }
                }
                var waited = Stopwatch.StartNew();
                while (Volatile.Read(ref kernel_walkers_in_window) == 0)
                {
                    if (waited.ElapsedMilliseconds >= 200)
                    {
                        n.add("hot_remove_during_ptdump (no walker in its window)");
                        return;
                    }
                    Thread.Sleep(1);
                    Smp.interrupt_point();
                }
                foreach (hotplug_slot s in hotplug) hot_remove(s, size, n);
                n.add("hot_remove_during_ptdump");
            }
            finally
            {
                for (int i = claimed - 1; i >= 0; i--)
                    Monitor.Exit(hotplug[i]);
            }
        }

        // The pair's cycle: added (both blocks), onlined, then offline_and_remove_memory, which fails half-way when the
        // second block's offline fails and then leaves both online, as they were (on s390 a block whose memmap cannot be set
        // up again stays offline).
        private void offline_and_remove(Choice c, Counters n)
        {
            ulong size = 2 * mmzone.memory_block_size_bytes();
            using (UserLock.hold(pair))
            {
                if (!pair.added)
                {
                    if (!hot_add(pair, size, n))
                        return;
                }
                if (!pair.online)
                {
                    for (ulong b = pair.start; b < pair.start + size; b += mmzone.memory_block_size_bytes())
                    {
                        if (memory_hotplug.online_memory_block(memory_hotplug.memory_blocks[b >> PAGE_SHIFT]) != 0)
                        {
                            // s390 only (memmap set up at online time): the pair goes away again, to start over.
                            n.add("offline_and_remove (online failed)");
                            int rc = memory_hotplug.offline_and_remove_memory(pair.start, size);
                            ViolationLog.BUG_ON(rc != 0 && rc != lib.errno.EBUSY, $"offline_and_remove_memory returned {rc}");
                            pair.added = memory_hotplug.memory_blocks.ContainsKey(pair.start >> PAGE_SHIFT);
                            pair.online = pair.added;
                            return;
                        }
                    }
                    pair.online = true;
                    n.add("online");
                    return;
                }
                int ret = memory_hotplug.offline_and_remove_memory(pair.start, size);
                if (ret != 0)
                {
                    ViolationLog.BUG_ON(ret != lib.errno.EBUSY, $"offline_and_remove_memory returned {ret}");
                    pair.online = memory_hotplug.pfn_to_online_page(pair.start >> PAGE_SHIFT) != null
                        && memory_hotplug.pfn_to_online_page((pair.start + size / 2) >> PAGE_SHIFT) != null;
                    n.add(pair.online ? "offline_and_remove (EBUSY, rolled back)" : "offline_and_remove (EBUSY, rolled back, a block left offline)");
                    return;
                }
                pair.added = pair.online = false;
                pair.block = null;
                n.add("offline_and_remove");
            }
        }

        // udev onlining a memory block of the pair behind the pair's cycle (echo online > /sys/devices/system/memory/memoryN/state):
        // looked up and onlined under the device hotplug lock, as the sysfs store does. offline_and_remove_memory holds that
        // lock from its first offline to the removal: without it, a block looked up before the removal is onlined after it.
        private void udev_online(Choice c, Counters n)
        {
            ulong pfn = (pair.start >> PAGE_SHIFT) + (ulong)(c.a % 2) * (mmzone.memory_block_size_bytes() >> PAGE_SHIFT);
            memory_hotplug.lock_device_hotplug();
            int rc = memory_hotplug.memory_blocks.TryGetValue(pfn, out memory_block? mem) ? memory_hotplug.memory_block_online(mem) : 0;
            memory_hotplug.unlock_device_hotplug();
            n.add(mem == null ? "udev_online (no block)" : rc == 0 ? "udev_online" : "udev_online (ENOMEM)");
        }

        // kmemleak_scan's walk of struct pages (mm/kmemleak.c): under get_online_mems, the memmap of every hot-added section
        // that pfn_to_online_page finds online is read, held up between the check and the read. An offline poisons that
        // memmap (s390: drops it) under the hotplug write lock, which waits for the scan.
        private void kmemleak_scan(Choice c, Counters n)
        {
            ulong block = mmzone.memory_block_size_bytes();
            var ranges = new List<(ulong start, ulong size)> { (pair.start, 2 * block) };
            foreach (hotplug_slot s in hotplug)
                ranges.Add((s.start, block));
            memory_hotplug.get_online_mems();
            foreach ((ulong start, ulong size) in ranges)
            {
                for (ulong pfn = start >> PAGE_SHIFT; pfn < (start + size) >> PAGE_SHIFT; pfn += mmzone.PAGES_PER_SECTION)
                {
                    if (memory_hotplug.pfn_to_online_page(pfn) is not page p)
                        continue;
                    RaceWindow.at("kmemleak_scan");
                    _ = mmzone.page_zone(p);
                }
            }
            memory_hotplug.put_online_mems();
            n.add("kmemleak_scan");
        }

        // A dump that may be stopped part-way (--stop-walk): it must have released its locks either way.
        private void ptdump_step(Choice c, Counters n)
        {
            var st = new ptdump_state();
            fns.ptdump_walk_pgd.fn(st, K.init_mm);
            n.add(st.err == 0 ? "ptdump" : "ptdump (walk stopped)");
        }

#if CONFIG_HUGETLB_PAGE_OPTIMIZE_VMEMMAP
        private void hvo(Choice c, Counters n)
        {
            int i = c.a % hvo_pages.Length;
            ulong head = (HVO_START >> PAGE_SHIFT) + (ulong)i * (hugetlb.HPAGE_SIZE / PAGE_SIZE);
            using (UserLock.hold(hvo_pages[i]))
            {
                hugetlb_vmemmap.hugetlb_vmemmap_optimize_folio(head);
                hugetlb_vmemmap.hugetlb_vmemmap_restore_folio(head);
            }
            n.add("hvo");
        }
#endif

        private static void ptdump_check_wx(Choice c, Counters n)
        {
            ViolationLog.BUG_ON(!ptdump.ptdump_check_wx(), "ptdump_check_wx found a writable and executable kernel mapping");
            n.add("ptdump_check_wx");
        }

        private static ulong vmap_pages(Choice c) => c.a % 4 == 0 ? PTRS_PER_TABLE : 1 + (ulong)(c.a / 4 % 16);

        // Page mappings (the physical address is never 2 MiB aligned); a 2 MiB area leaves a PTE table that a later
        // huge ioremap of the same area frees.
        private static void vmap(Choice c, Counters n)
        {
            ulong pages = vmap_pages(c);
            vm_struct area = vmalloc.get_vm_area(pages * PAGE_SIZE, pages == PTRS_PER_TABLE ? PMD_SIZE : PAGE_SIZE);
            ulong phys = DEVICE_PHYS + PAGE_SIZE + (ulong)(c.b % 511) * PAGE_SIZE;
            // On -ENOMEM the vunmap clears what was mapped and releases the area, as vmap's error path does.
            int ret = vmalloc.vmap_page_range(area.addr, area.addr + area.size, phys, PAGE_KERNEL);
            vmalloc.vunmap(area.addr);
            n.add(ret == 0 ? "vmap" : "vmap (ENOMEM)");
        }

        // 1 GiB, 2 or 4 MiB (aligned: huge mappings) or a few pages. Without huge vmap 1 GiB would be 262144 PTEs: 2 MiB instead.
        private static (ulong phys, ulong size) ioremap_args(Choice c) => (c.a % 4) switch
        {
#if CONFIG_HAVE_ARCH_HUGE_VMAP
            0 => (DEVICE_PHYS, PUD_SIZE),
#else
            0 => (DEVICE_PHYS, PMD_SIZE),
#endif
            1 or 2 => (DEVICE_PHYS + (ulong)(c.b % 8) * PMD_SIZE, PMD_SIZE * (ulong)(1 + c.b / 8 % 2)),
            _ => (DEVICE_PHYS + PAGE_SIZE * (ulong)(1 + c.b % 64), PAGE_SIZE * (ulong)(1 + c.b / 64 % 8)),
        };

        private void ioremap(Choice c, Counters n)
        {
            (ulong phys, ulong size) = ioremap_args(c);
            ulong addr = fns.ioremap.fn(phys, size);
            if (addr == 0)
            {
                n.add("ioremap (ENOMEM)");
                return;
            }
            vmalloc.iounmap(addr);
            n.add("ioremap");
        }

        // sysfs reads the block under the device lock, which its online/offline/removal also take: its state cannot
        // change under the read. (The port poisons the memmap at offline, stricter than the kernel, which keeps it
        // readable until removal.)
        private void valid_zones(Choice c, Counters n)
        {
            hotplug_slot s = hotplug[c.a % NR_HOTPLUG];
            memory_hotplug.lock_device_hotplug();
            if (memory_hotplug.memory_blocks.TryGetValue(s.start >> PAGE_SHIFT, out memory_block? mem))
                fns.show_valid_zones.fn(mem);
            memory_hotplug.unlock_device_hotplug();
            n.add("valid_zones");
        }

        // Maps the file and faults a page (the PMD table is allocated or shared), or unmaps it (tables freed through mmu_gather).
        private void hugetlb_cycle(Choice c, Counters n)
        {
            int m = c.a % NR_MM, f = c.b % NR_FILES;
            hugetlb_slot slot = vmas[m, f];
            mm_struct mm = mms[m];
            using (UserLock.hold(slot))
            {
                if (!slot.mapped)
                {
                    hugetlb.hugetlb_mmap(mm, hva(f), hva(f) + PUD_SIZE, shared: true, files[f], 0);
                    slot.mapped = true;
                    fault(mm, haddr(c));
                    n.add("hugetlb_alloc");
                }
                else
                {
                    int rc = mmap.vm_munmap(mm, hva(f), PUD_SIZE);
                    ViolationLog.BUG_ON(rc != 0, $"vm_munmap of a mapped hugetlb VMA returned {rc}");
                    slot.mapped = false;
                    n.add("hugetlb_free");
                }
            }
        }

        private static void fault(mm_struct mm, ulong addr)
        {
            mmap_lock.mmap_read_lock(mm);
            vm_area_struct? vma = mmap.vma_lookup(mm, addr);
            if (vma != null)
                hugetlb.hugetlb_fault(mm, vma, addr);
            mmap_lock.mmap_read_unlock(mm);
        }

        private void hugetlb_fault(Choice c, Counters n)
        {
            fault(mms[c.a % NR_MM], haddr(c));
            n.add("hugetlb_fault");
        }

        // The callers of hugetlb_unshare_all_pmds (userfaultfd registration, VMA split) hold the mmap lock for write.
        private void hugetlb_unshare(Choice c, Counters n)
        {
            mm_struct mm = mms[c.a % NR_MM];
            mmap_lock.mmap_write_lock(mm);
            vm_area_struct? vma = mmap.vma_lookup(mm, haddr(c));
            if (vma != null)
                hugetlb.hugetlb_unshare_all_pmds(vma);
            mmap_lock.mmap_write_unlock(mm);
            n.add("hugetlb_unshare");
        }

        // GUP's slow path: the VMA under the mmap lock, then the lookup, faulting the page in if it is not there.
        private void hugetlb_follow_page(Choice c, Counters n)
        {
            int m = c.a % NR_MM;
            mm_struct mm = mms[m];
            ulong addr = haddr(c);
            Interlocked.Increment(ref slow_gups[m]);
            gup_mm = m + 1;
            mmap_lock.mmap_read_lock(mm);
            vm_area_struct? vma = mmap.vma_lookup(mm, addr);
            if (vma != null)
            {
                mmap_lock.mmap_assert_locked(vma.vm_mm); // vma is mm's
                // No page: fault it in and look again (__get_user_pages). The fault may share another mm's PMD table.
                if (fns.hugetlb_follow_page_mask.fn(vma, addr) == null)
                {
                    hugetlb.hugetlb_fault(mm, vma, addr);
                    fns.hugetlb_follow_page_mask.fn(vma, addr);
                }
            }
            mmap_lock.mmap_read_unlock(mm);
            gup_mm = 0;
            Interlocked.Decrement(ref slow_gups[m]);
            n.add("hugetlb_follow_page");
        }

        /// <summary>A CPU enters (+1) or leaves (-1) the race window at <paramref name="point"/>; counted when it is a GUP's or a kernel walker's.</summary>
        internal void window_held(string point, int delta)
        {
            if (point == "walk_kernel_page_table_range")
                Interlocked.Add(ref kernel_walkers_in_window, delta);
            int m = gup_mm - 1;
            int[]? counts = point switch
            {
                "hugetlb_follow_page_mask" => slow_gups_in_window,
                "gup_fast" => fast_gups_in_window,
                _ => null,
            };
            if (m >= 0 && counts != null)
                Interlocked.Add(ref counts[m], delta);
        }

        // A job ends while a GUP of one of its processes sits in its race window: the file is truncated and the processes
        // exit. A slow GUP's process cannot exit (the GUP holds its mmap lock), but the hole punch, taking no mmap lock,
        // unshares its PMD table, and the other processes' munmaps free that table once its last sharer is gone: the race
        // of G4, which the vma lock closes. A fast GUP holds no lock: its process exits first, and the last munmap frees its
        // table (bug E: only IRQs off hold that free back). Half the exits wait for a slow GUP, half for a fast one, a
        // little while; without one the job goes on.
        private static bool exit_during_slow_gup(Choice c) => c.a % 2 == 0;

        private void hugetlb_exit(Choice c, Counters n)
        {
            int f = c.b % NR_FILES, m = -1;
            bool slow = exit_during_slow_gup(c);
            var waited = Stopwatch.StartNew();
            while (m < 0 && waited.ElapsedMilliseconds < 100)
            {
                for (int i = 0; i < NR_MM && m < 0; i++)
                {
                    int j = (c.a / 2 + i) % NR_MM;
                    // A process with a slow GUP in flight cannot exit before it is done.
                    if (slow ? Volatile.Read(ref slow_gups_in_window[j]) > 0
                             : Volatile.Read(ref fast_gups_in_window[j]) > 0 && Volatile.Read(ref slow_gups[j]) == 0)
                        m = j;
                }
                if (m < 0)
                {
                    Thread.Sleep(1);
                    Smp.interrupt_point();
                }
            }
            if (m < 0)
            {
                n.add("hugetlb_exit (no GUP in its window)");
                return;
            }
            if (slow)
                inode.hugetlbfs_punch_hole(files[f]);
            for (int i = 0; i < NR_MM; i++)
            {
                int d = (m + i) % NR_MM;
                hugetlb_slot slot = vmas[d, f];
                // A slot busy in another operation (mid mmap or munmap) is left to it.
                if (slow && d == m || !Monitor.TryEnter(slot))
                    continue;
                try
                {
                    if (slot.mapped)
                    {
                        ViolationLog.BUG_ON(mmap.vm_munmap(mms[d], hva(f), PUD_SIZE) != 0, "vm_munmap of a mapped hugetlb VMA failed");
                        slot.mapped = false;
                    }
                }
                finally
                {
                    Monitor.Exit(slot);
                }
            }
            n.add("hugetlb_exit");
        }

        // A page walk of the faulted range (smaps, mincore and the like), reading each huge PTE.
        private void walk_hugetlb_range(Choice c, Counters n)
        {
            mm_struct mm = mms[c.a % NR_MM];
            ulong start = hva(c.b % NR_FILES);
            mmap_lock.mmap_read_lock(mm);
            vm_area_struct? vma = mmap.vma_lookup(mm, start);
            int err = 0;
            if (vma != null)
            {
                mmap_lock.mmap_assert_locked(vma.vm_mm); // vma is mm's
                err = pagewalk.walk_hugetlb_range(vma, start, start + NR_HPAGES * hugetlb.HPAGE_SIZE, (pte, _, _, _) =>
                {
                    pte.read();
                    return 0;
                }, null);
                ViolationLog.BUG_ON(err != 0 && err != lib.errno.EINTR, $"walk_hugetlb_range returned {err}");
            }
            mmap_lock.mmap_read_unlock(mm);
            n.add(err == 0 ? "walk_hugetlb_range" : "walk_hugetlb_range (walk stopped)");
        }

        // fork of one VMA into a process of the pool whose slot is free. The child is a pooled, live mm here, so the two
        // mmap locks are taken in a fixed order (parent's index below the child's) instead of relying on a child nobody sees.
        private static (int src, int dst) fork_pair(Choice c)
        {
            int src = c.a % (NR_MM - 1);
            return (src, src + 1 + c.a / (NR_MM - 1) % (NR_MM - 1 - src));
        }

        private void copy_hugetlb_page_range(Choice c, Counters n)
        {
            (int s, int d) = fork_pair(c);
            int f = c.b % NR_FILES;
            hugetlb_slot child = vmas[d, f];
            if (!Monitor.TryEnter(child))
            {
                n.add("copy_hugetlb_page_range (child busy)");
                return;
            }
            try
            {
                mm_struct src = mms[s], dst = mms[d];
                // The pooled child drops what it mapped there before (as an exec would).
                if (child.mapped)
                    ViolationLog.BUG_ON(mmap.vm_munmap(dst, hva(f), PUD_SIZE) != 0, "vm_munmap of the child's hugetlb VMA failed");
                vm_area_struct dst_vma = hugetlb.hugetlb_mmap(dst, hva(f), hva(f) + PUD_SIZE, shared: true, files[f], 0);
                child.mapped = true;
                mmap_lock.mmap_write_lock(src);
                mmap_lock.mmap_write_lock(dst);
                vm_area_struct? src_vma = mmap.vma_lookup(src, hva(f));
                if (src_vma != null)
                    hugetlb.copy_hugetlb_page_range(dst, src, dst_vma, src_vma);
                mmap_lock.mmap_write_unlock(dst);
                mmap_lock.mmap_write_unlock(src);
                n.add("copy_hugetlb_page_range");
            }
            finally
            {
                Monitor.Exit(child);
            }
        }

        private void gup_fast(Choice c, Counters n)
        {
            gup_mm = c.a % NR_MM + 1;
            fns.gup_fast.fn(mms[c.a % NR_MM], haddr(c), 4);
            gup_mm = 0;
            n.add("gup_fast");
        }

        private void stop_machine(Choice c, Counters n)
        {
            ViolationLog.BUG_ON(kernel.cpu_stop.stop_machine(patch_text, null) != 0, "stop_machine: the text patch failed");
            n.add("stop_machine");
        }

        [Requires("ReferenceKernelMm.K.StopMachine")]
        private int patch_text(object? data)
        {
            using (Kcsan.write(kernel_text, "stop_machine: patching kernel text"))
                RaceWindow.at("patch_text");
            return 0;
        }

        private void text_exec(Choice c, Counters n)
        {
            ulong flags = Smp.local_irq_save();
            using (Kcsan.read(kernel_text, "executing kernel text"))
                RaceWindow.at("text_exec");
            Smp.local_irq_restore(flags);
            n.add("text_exec");
        }

#if CONFIG_ARM64
        // The 2017 hot-add proposal's linear-map update under stop_machine, then a check that every page of the range
        // is mapped to its own frame (a lost or torn entry shows here), then the unmap of upstream's hot-remove.
        private static void hotplug_paging(Choice c, Counters n)
        {
            memory_hotplug.mem_hotplug_begin();
            if (arch.arm64.mm.mmu.hotplug_paging(HOTPLUG_PAGING_START, HOTPLUG_PAGING_SIZE) != 0)
            {
                // Nothing was mapped: nothing to check or remove.
                memory_hotplug.mem_hotplug_done();
                n.add("hotplug_paging (ENOMEM)");
                return;
            }
            mmap_lock.mmap_write_lock(K.init_mm);
            var seen = new List<(ulong addr, ulong pfn)>();
            ulong va = mm_layout.__va(HOTPLUG_PAGING_START);
            int walked = pagewalk.walk_kernel_page_table_range(va, va + HOTPLUG_PAGING_SIZE, (e, addr, _, _) => seen.Add((addr, entry_pfn(e.read()))), null);
            mmap_lock.mmap_write_unlock(K.init_mm);
            arch.arm64.mm.mmu.__remove_pgd_mapping(K.init_mm, va, HOTPLUG_PAGING_SIZE);
            memory_hotplug.mem_hotplug_done();
            if (walked != 0)
            {
                n.add("hotplug_paging (walk stopped)");
                return;
            }
            ViolationLog.BUG_ON(seen.Count != (int)(HOTPLUG_PAGING_SIZE / PAGE_SIZE), $"hotplug_paging: {seen.Count} of {HOTPLUG_PAGING_SIZE / PAGE_SIZE} pages mapped");
            foreach ((ulong addr, ulong pfn) in seen)
                ViolationLog.BUG_ON(pfn != (addr - va + HOTPLUG_PAGING_START) >> PAGE_SHIFT, $"hotplug_paging: 0x{addr:x} maps pfn 0x{pfn:x}");
            n.add("hotplug_paging");
        }

        // The efi_page_tables file: every runtime region's pages, with their permissions, and nothing else.
        private static void ptdump_efi(Choice c, Counters n)
        {
            ptdump_state st = drivers.firmware.efi.efi.ptdump_efi();
            if (st.err != 0)
            {
                n.add("ptdump_efi (walk stopped)");
                return;
            }
            int pages = 0;
            foreach (drivers.firmware.efi.efi_memory_desc_t md in efi_regions)
                pages += (int)md.num_pages;
            ViolationLog.BUG_ON(st.entries.Count != pages, $"ptdump_efi: {st.entries.Count} leaves, {pages} mapped");
            foreach (ptdump_entry e in st.entries)
                ViolationLog.BUG_ON(e.size != PAGE_SIZE || e.writable == e.executable, $"ptdump_efi: bad leaf at 0x{e.addr:x} ({e.size} bytes, w {e.writable}, x {e.executable})");
            n.add("ptdump_efi");
        }
#endif
    }
}
