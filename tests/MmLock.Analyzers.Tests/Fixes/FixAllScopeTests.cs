using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis.CodeFixes;
using MmLock.Analyzers.Tests.Verification;
using MmLock.CodeFixes;
using Xunit;

namespace MmLock.Analyzers.Tests.Fixes
{
    /// <summary>
    /// Fix All in document, project and solution scope for every fix, and for edits that overlap inside one member (the batch
    /// fixer kept one of them): members a, b in TestProject's Test0, c in its Test1, d in TestProject1 (which references it).
    /// One Fix All fixes its whole scope and nothing outside it: three applications at document scope, two at project scope,
    /// one at solution scope.
    /// </summary>
    public class FixAllScopeTests
    {
        /// <summary>A fix's case: a member with NAME in its names, before and after the fix.</summary>
        private sealed record Case(Func<FixAllScope, string, IEnumerable<(string, string)>, IEnumerable<(string, string)>, Task> Run, string Key, string Before, string After);

        private static Func<FixAllScope, string, IEnumerable<(string, string)>, IEnumerable<(string, string)>, Task> With<TFix>() where TFix : CodeFixProvider, new() =>
            (scope, key, sources, fixedSources) =>
            {
                var test = new CodeFixTest<MmLockAnalyzer, TFix>
                {
                    CodeActionEquivalenceKey = key,
                    FixAllScope = scope,
                    ExpectedBatchIterations = scope switch { FixAllScope.Document => 3, FixAllScope.Project => 2, _ => 1 },
                    // Single fixes: up to five in each of four members.
                    MaxIterations = 40,
                };
                test.Sources.AddRange(sources);
                test.FixedSources.AddRange(fixedSources);
                test.PreprocessorSymbols.AddRange(MmKernel.Symbols);
                return test.RunAsync();
            };

        private static readonly Dictionary<string, Case> Cases = new()
        {
            ["WrapTryFinally"] = new(With<RequirementCodeFix>(), "MM2001.WrapTryFinally", @"
    static void NAME(mm_struct mm)
    {
        {|MM2001:{|MM2001:Kernel.walk_page_range_novma(mm, 0, 1)|}|};
    }", @"
    static void NAME(mm_struct mm)
    {
        Kernel.get_online_mems();
        try
        {
            Kernel.mmap_write_lock(K.init_mm);
            try
            {
                Kernel.walk_page_range_novma(mm, 0, 1);
            }
            finally
            {
                Kernel.mmap_write_unlock(K.init_mm);
            }
        }
        finally
        {
            Kernel.put_online_mems();
        }
    }"),
            ["WrapUsing"] = new(With<RequirementCodeFix>(), "MM1001.WrapUsing", @"
    [MmLock.RequiresShared(""M.K.mem_hotplug_lock"")] static void NAME_need() { }
    static void NAME()
    {
        {|MM1001:NAME_need()|};
    }", @"
    [MmLock.RequiresShared(""M.K.mem_hotplug_lock"")] static void NAME_need() { }
    static void NAME()
    {
        using (var guard = Kernel.guard_online_mems())
        {
            NAME_need();
        }
    }"),
            ["MoveToCaller"] = new(With<RequirementCodeFix>(), "MM1001.MoveToCaller", @"
    [MmLock.Requires(""ptl"")] static void NAME_need(spinlock_t ptl) { }
    static void NAME(spinlock_t ptl)
    {
        {|MM1001:NAME_need(ptl)|};
    }", @"
    [MmLock.Requires(""ptl"")] static void NAME_need(spinlock_t ptl) { }
    [MmLock.Requires(""ptl"")]
    static void NAME(spinlock_t ptl)
    {
        NAME_need(ptl);
    }"),
            ["AddRelease"] = new(With<AddMissingReleaseCodeFix>(), AddMissingReleaseCodeFix.EquivalenceKey, @"
    static void NAME(spinlock_t ptl)
    {
        Kernel.spin_lock(ptl);
        ptl.ToString();
    {|MM1004:}|}", @"
    static void NAME(spinlock_t ptl)
    {
        Kernel.spin_lock(ptl);
        try
        {
            ptl.ToString();
        }
        finally
        {
            Kernel.spin_unlock(ptl);
        }
    }"),
            ["RemoveRelease"] = new(With<RemoveUnmatchedReleaseCodeFix>(), RemoveUnmatchedReleaseCodeFix.EquivalenceKey, @"
    static void NAME(spinlock_t ptl)
    {
        ptl.ToString();
        {|MM1002:Kernel.spin_unlock(ptl)|};
    }", @"
    static void NAME(spinlock_t ptl)
    {
        ptl.ToString();
    }"),
            ["ReleaseFinally"] = new(With<ContractBodyCodeFix>(), ContractBodyCodeFix.ReleaseKey, @"
    [MmLock.Releases(""ptl"")]
    static void {|MM1008:NAME|}(spinlock_t ptl, bool b)
    {
        if (b)
            return;
        Kernel.spin_unlock(ptl);
    }", @"
    [MmLock.Releases(""ptl"")]
    static void NAME(spinlock_t ptl, bool b)
    {
        try
        {
            if (b)
                return;
        }
        finally
        {
            Kernel.spin_unlock(ptl);
        }
    }"),
            ["AcquireFirst"] = new(With<ContractBodyCodeFix>(), ContractBodyCodeFix.AcquireKey, @"
    [MmLock.Acquires(""ptl"")]
    static void {|MM1008:NAME|}(spinlock_t ptl, bool b)
    {
        if (b)
            return;
        Kernel.spin_lock(ptl);
    }", @"
    [MmLock.Acquires(""ptl"")]
    static void NAME(spinlock_t ptl, bool b)
    {
        Kernel.spin_lock(ptl);
        if (b)
            return;
    }"),
            ["Widen"] = new(With<GuardedReferenceCodeFix>(), GuardedReferenceCodeFix.WidenKey, @"
    static ulong NAME(vm_area_struct vma, ulong addr)
    {
        Kernel.hugetlb_vma_lock_read(vma);
        var ptep = Kernel.huge_pte_offset(vma.vm_mm, addr, K.PMD_SIZE);
        Kernel.hugetlb_vma_unlock_read(vma);
        var v = Kernel.huge_ptep_get({|MM2005:ptep|});
        return v;
    }", @"
    static ulong NAME(vm_area_struct vma, ulong addr)
    {
        Kernel.hugetlb_vma_lock_read(vma);
        var ptep = Kernel.huge_pte_offset(vma.vm_mm, addr, K.PMD_SIZE);
        var v = Kernel.huge_ptep_get(ptep);
        Kernel.hugetlb_vma_unlock_read(vma);
        return v;
    }"),
            ["LookUpAgain"] = new(With<GuardedReferenceCodeFix>(), GuardedReferenceCodeFix.LookUpAgainKey, @"
    static ulong NAME(vm_area_struct vma, ulong addr)
    {
        pte_t? ptep;
        Kernel.hugetlb_vma_lock_read(vma);
        ptep = Kernel.huge_pte_offset(vma.vm_mm, addr, K.PMD_SIZE);
        Kernel.hugetlb_vma_unlock_read(vma);
        return Kernel.huge_ptep_get({|MM2005:ptep|});
    }", @"
    static ulong NAME(vm_area_struct vma, ulong addr)
    {
        pte_t? ptep;
        Kernel.hugetlb_vma_lock_read(vma);
        ptep = Kernel.huge_pte_offset(vma.vm_mm, addr, K.PMD_SIZE);
        Kernel.hugetlb_vma_unlock_read(vma);
        Kernel.hugetlb_vma_lock_read(vma);
        try
        {
            ptep = Kernel.huge_pte_offset(vma.vm_mm, addr, K.PMD_SIZE);
            return Kernel.huge_ptep_get(ptep);
        }
        finally
        {
            Kernel.hugetlb_vma_unlock_read(vma);
        }
    }"),
            ["MoveAfterRelease"] = new(With<SleepingCallCodeFix>(), SleepingCallCodeFix.AfterKey, @"
    static void NAME(spinlock_t ptl)
    {
        Kernel.spin_lock(ptl);
        {|MM3001:Kernel.synchronize_rcu()|};
        Kernel.spin_unlock(ptl);
    }", @"
    static void NAME(spinlock_t ptl)
    {
        Kernel.spin_lock(ptl);
        Kernel.spin_unlock(ptl);
        Kernel.synchronize_rcu();
    }"),
            ["MoveBeforeAcquire"] = new(With<SleepingCallCodeFix>(), SleepingCallCodeFix.BeforeKey, @"
    static void NAME(spinlock_t ptl)
    {
        Kernel.spin_lock(ptl);
        {|MM3001:Kernel.synchronize_rcu()|};
        Kernel.spin_unlock(ptl);
    }", @"
    static void NAME(spinlock_t ptl)
    {
        Kernel.synchronize_rcu();
        Kernel.spin_lock(ptl);
        Kernel.spin_unlock(ptl);
    }"),
            // Five moves to one attribute list.
            ["FiveRequirements"] = new(With<RequirementCodeFix>(), "MM1001" + RequirementCodeFix.MoveSuffix, @"
    [MmLock.Requires(""ptl"")] static void NAME_a(spinlock_t ptl) { }
    [MmLock.RequiresShared(""mm.mmap_lock"")] static void NAME_b(mm_struct mm) { }
    [MmLock.Requires(""m"")] static void NAME_c(mutex m) { }
    [MmLock.Requires(""M.K.RCU"")] static void NAME_d() { }
    [MmLock.RequiresShared(""M.K.mem_hotplug_lock"")] static void NAME_e() { }
    static void NAME(spinlock_t ptl, mm_struct mm, mutex m)
    {
        {|MM1001:NAME_a(ptl)|};
        {|MM1001:NAME_b(mm)|};
        {|MM1001:NAME_c(m)|};
        {|MM1001:NAME_d()|};
        {|MM1001:NAME_e()|};
    }", @"
    [MmLock.Requires(""ptl"")] static void NAME_a(spinlock_t ptl) { }
    [MmLock.RequiresShared(""mm.mmap_lock"")] static void NAME_b(mm_struct mm) { }
    [MmLock.Requires(""m"")] static void NAME_c(mutex m) { }
    [MmLock.Requires(""M.K.RCU"")] static void NAME_d() { }
    [MmLock.RequiresShared(""M.K.mem_hotplug_lock"")] static void NAME_e() { }
    [MmLock.Requires(""ptl"")]
    [MmLock.RequiresShared(""mm.mmap_lock"")]
    [MmLock.Requires(""m"")]
    [MmLock.Requires(""M.K.RCU"")]
    [MmLock.RequiresShared(""M.K.mem_hotplug_lock"")]
    static void NAME(spinlock_t ptl, mm_struct mm, mutex m)
    {
        NAME_a(ptl);
        NAME_b(mm);
        NAME_c(m);
        NAME_d();
        NAME_e();
    }"),
            // Two leaks at one '}'.
            ["TwoLeaks"] = new(With<AddMissingReleaseCodeFix>(), AddMissingReleaseCodeFix.EquivalenceKey, @"
    static void NAME(spinlock_t a, spinlock_t b)
    {
        Kernel.spin_lock(a);
        Kernel.spin_lock(b);
        a.ToString();
    {|MM1004:{|MM1004:}|}|}", @"
    static void NAME(spinlock_t a, spinlock_t b)
    {
        Kernel.spin_lock(a);
        try
        {
            Kernel.spin_lock(b);
            try
            {
                a.ToString();
            }
            finally
            {
                Kernel.spin_unlock(b);
            }
        }
        finally
        {
            Kernel.spin_unlock(a);
        }
    }"),
            // Two role attributes (walkers of two spaces; the kernel walk misses both of its freeings) to one attribute list.
            ["TwoRoles"] = new(With<RequirementCodeFix>(), "MM2001" + RequirementCodeFix.MoveSuffix, @"
    [MmLock.PageTableWalker(""hugetlb"")] static void NAME_walk() { }
    static void NAME(mm_struct mm)
    {
        {|MM2001:{|MM2001:Kernel.walk_page_range_novma(mm, 0, 1)|}|};
        {|MM2001:NAME_walk()|};
    }", @"
    [MmLock.PageTableWalker(""hugetlb"")] static void NAME_walk() { }
    [MmLock.PageTableWalker(""kernel"")]
    [MmLock.PageTableWalker(""hugetlb"")]
    static void NAME(mm_struct mm)
    {
        Kernel.walk_page_range_novma(mm, 0, 1);
        NAME_walk();
    }"),
        };

        public static IEnumerable<object[]> Scopes() =>
            Cases.Keys.SelectMany(name => new[] { FixAllScope.Document, FixAllScope.Project, FixAllScope.Solution }.Select(s => new object[] { name, s }));

        private static string Document(string @class, string member, params string[] names) =>
            "using M;\nstatic class " + @class + "\n{" + string.Join("\n", names.Select(n => member.Replace("NAME", n))) + "\n}\n";

        [Theory]
        [MemberData(nameof(Scopes))]
        public Task FixAllInScope(string name, FixAllScope scope)
        {
            var c = Cases[name];
            return c.Run(scope, c.Key, Solution(c.Before), Solution(c.After));
        }

        private static (string, string)[] Solution(string member) => new[]
        {
            ("/0/Kernel.cs", MmKernel.Prelude),
            ("/0/Test0.cs", Document("C0", member, "a", "b")),
            ("/0/Test1.cs", Document("C1", member, "c")),
            ("/1/Test0.cs", Document("C2", member, "d")),
        };
    }
}
