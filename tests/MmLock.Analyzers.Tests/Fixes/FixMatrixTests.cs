using System;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis.CodeFixes;
using MmLock.Analyzers.Tests.Rules;
using MmLock.CodeFixes;
using Xunit;
using Xunit.Abstractions;

namespace MmLock.Analyzers.Tests.Fixes
{
    /// <summary>
    /// The fix matrix of issue 15: every rule of contract §5 × the code shapes users write. A cell either states the exact fixed
    /// code (the harness checks it compiles, the diagnostic is gone and no diagnostic is added anywhere in the solution, then Fix
    /// All the same) or that no fix is offered because none is sound. Cells an existing test already verifies name that test
    /// instead of repeating it; the rest run here.
    /// </summary>
    public class FixMatrixTests
    {
        private readonly ITestOutputHelper _output;

        public FixMatrixTests(ITestOutputHelper output) { _output = output; }

        private sealed record Cell(string Rule, string Shape, bool Fixed, Func<Task>? Run, MethodInfo? CoveredBy);

        private const string Wrap = "MM1001" + RequirementCodeFix.WrapSuffix;

        /// <summary>Helpers every generic cell may call (next to <see cref="Kernel.Prelude"/>).</summary>
        private const string Helpers = @"
    [Requires(""l"")] static void need(spinlock_t l) { }
    [Requires(""l"")] static int get(spinlock_t l) => 0;
";

        private static string InClass(string members) => "\nusing MmLock; using K;\nclass C\n{" + Helpers + members + "\n}";

        private static string InMmClass(string members) => "\nusing M;\nstatic class C\n{" + members + "\n}";

        private static Cell Fix<TFix>(string rule, string shape, string key, string before, string after) where TFix : CodeFixProvider, new() =>
            new(rule, shape, true, () => FixVerifier.Verify<TFix>(InClass(before), InClass(after), key), null);

        private static Cell FixMm<TFix>(string rule, string shape, string key, string before, string after) where TFix : CodeFixProvider, new() =>
            new(rule, shape, true, () => FixVerifier.VerifyMm<TFix>(InMmClass(before), InMmClass(after), key), null);

        private static Cell None<TFix>(string rule, string shape, string before) where TFix : CodeFixProvider, new() =>
            new(rule, shape, false, () => FixVerifier.NotOffered<TFix>(InClass(before)), null);

        private static Cell NoneMm<TFix>(string rule, string shape, string before) where TFix : CodeFixProvider, new() =>
            new(rule, shape, false, () => FixVerifier.NotOfferedMm<TFix>(InMmClass(before)), null);

        /// <summary>A cell an existing test verifies (it must exist and be a test).</summary>
        private static Cell Covered<TTests>(string rule, string shape, bool fixedByDesign, string test) =>
            new(rule, shape, fixedByDesign, null, typeof(TTests).GetMethod(test));

        /// <summary>An MM2005 in a switch section (both of its fixes).</summary>
        private const string SwitchLookup = @"
    static ulong f(vm_area_struct vma, ulong addr, int k)
    {
        switch (k)
        {
            case 0:
                Kernel.hugetlb_vma_lock_read(vma);
                var ptep = Kernel.huge_pte_offset(vma.vm_mm, addr, K.PMD_SIZE);
                Kernel.hugetlb_vma_unlock_read(vma);
                var v = Kernel.huge_ptep_get({|MM2005:ptep|});
                return v;
        }
        return 0;
    }";

        private static IEnumerable<Cell> Cells()
        {
            // MM1001: wrap the statement range (or move to the caller).
            yield return Covered<WrapInGuardTests>("MM1001", "statement", true, nameof(WrapInGuardTests.WrapsCallInSharedMmapLock));
            yield return Covered<ExpressionBodyWrapTests>("MM1001", "expression body", true, nameof(ExpressionBodyWrapTests.ValueReturningExpressionBodyReturnsInsideTheTry));
            yield return Covered<FixScenarioTests>("MM1001", "local function", true, nameof(FixScenarioTests.WrapInALocalFunction));
            yield return Covered<RequirementShapeTests>("MM1001", "indexer call", true, nameof(RequirementShapeTests.IndexerReadIsWrapped));
            yield return Covered<RequirementShapeTests>("MM1001", "property write", true, nameof(RequirementShapeTests.PropertyWriteIsWrapped));
            yield return Covered<RequirementShapeTests>("MM1001", "constructor call", true, nameof(RequirementShapeTests.ConstructorCallIsWrappedWithTheUsesOfItsResult));
            yield return Covered<RequirementShapeTests>("MM1001", "yield return", true, nameof(RequirementShapeTests.YieldedValueIsComputedUnderTheLock));
            yield return Covered<RequirementShapeTests>("MM1001", "maybe held", false, nameof(RequirementShapeTests.MaybeHeldContextGetsNoFix));
            yield return Covered<UnsoundFixTests>("MM1001", "try-lock may hold it", false, nameof(UnsoundFixTests.NoWrapWhenATryLockMayHoldIt));
            yield return Covered<RequirementShapeTests>("MM1001", "held shared, needed exclusive", true, nameof(RequirementShapeTests.SharedHoldIsTakenExclusively));
            yield return Covered<RequirementShapeTests>("MM1001", "held shared on entry, needed exclusive", false, nameof(RequirementShapeTests.SharedHoldOnEntryIsNotTakenExclusivelyNorWrapped));
            yield return Covered<RequirementShapeTests>("MM1001", "first of two identical calls", true, nameof(RequirementShapeTests.FirstOfTwoIdenticalCallsIsWrapped));
            yield return Fix<RequirementCodeFix>("MM1001", "throw expression", Wrap, @"
    static int f(spinlock_t a, bool b) => b ? {|MM1001:get(a)|} : throw new System.Exception();", @"
    static int f(spinlock_t a, bool b)
    {
        L.spin_lock(a);
        try
        {
            return b ? get(a) : throw new System.Exception();
        }
        finally
        {
            L.spin_unlock(a);
        }
    }");
            yield return Fix<RequirementCodeFix>("MM1001", "lambda", Wrap, @"
    static void f(spinlock_t a)
    {
        System.Action act = () =>
        {
            {|MM1001:need(a)|};
        };
        act();
    }", @"
    static void f(spinlock_t a)
    {
        System.Action act = () =>
        {
            L.spin_lock(a);
            try
            {
                need(a);
            }
            finally
            {
                L.spin_unlock(a);
            }
        };
        act();
    }");
            yield return Fix<RequirementCodeFix>("MM1001", "expression lambda", Wrap, @"
    static void f(spinlock_t a)
    {
        System.Action act = () => {|MM1001:need(a)|};
        act();
    }", @"
    static void f(spinlock_t a)
    {
        System.Action act = () =>
        {
            L.spin_lock(a);
            try
            {
                need(a);
            }
            finally
            {
                L.spin_unlock(a);
            }
        };
        act();
    }");
            yield return Fix<RequirementCodeFix>("MM1001", "constructor", Wrap, @"
    C(spinlock_t a)
    {
        {|MM1001:need(a)|};
    }", @"
    C(spinlock_t a)
    {
        L.spin_lock(a);
        try
        {
            need(a);
        }
        finally
        {
            L.spin_unlock(a);
        }
    }");
            yield return Fix<RequirementCodeFix>("MM1001", "accessor", Wrap, @"
    readonly spinlock_t s = new spinlock_t();
    int P
    {
        get
        {
            return {|MM1001:get(s)|};
        }
    }", @"
    readonly spinlock_t s = new spinlock_t();
    int P
    {
        get
        {
            L.spin_lock(s);
            try
            {
                return get(s);
            }
            finally
            {
                L.spin_unlock(s);
            }
        }
    }");
            yield return Fix<RequirementCodeFix>("MM1001", "indexer", Wrap, @"
    readonly spinlock_t s = new spinlock_t();
    int this[int i] => {|MM1001:get(s)|} + i;", @"
    readonly spinlock_t s = new spinlock_t();
    int this[int i]
    {
        get
        {
            L.spin_lock(s);
            try
            {
                return get(s) + i;
            }
            finally
            {
                L.spin_unlock(s);
            }
        }
    }");
            yield return Fix<RequirementCodeFix>("MM1001", "return", Wrap, @"
    static int f(spinlock_t a)
    {
        a.ToString();
        return {|MM1001:get(a)|};
    }", @"
    static int f(spinlock_t a)
    {
        a.ToString();
        L.spin_lock(a);
        try
        {
            return get(a);
        }
        finally
        {
            L.spin_unlock(a);
        }
    }");
            yield return Fix<RequirementCodeFix>("MM1001", "throw", Wrap, @"
    static void f(spinlock_t a)
    {
        throw new System.Exception({|MM1001:get(a)|}.ToString());
    }", @"
    static void f(spinlock_t a)
    {
        L.spin_lock(a);
        try
        {
            throw new System.Exception(get(a).ToString());
        }
        finally
        {
            L.spin_unlock(a);
        }
    }");
            yield return Fix<RequirementCodeFix>("MM1001", "using block", Wrap, @"
    static void f(spinlock_t a, System.IDisposable d)
    {
        using (d)
        {
            {|MM1001:need(a)|};
        }
    }", @"
    static void f(spinlock_t a, System.IDisposable d)
    {
        using (d)
        {
            L.spin_lock(a);
            try
            {
                need(a);
            }
            finally
            {
                L.spin_unlock(a);
            }
        }
    }");
            yield return Fix<RequirementCodeFix>("MM1001", "switch section", Wrap, @"
    static void f(spinlock_t a, int k)
    {
        switch (k)
        {
            case 0:
                {|MM1001:need(a)|};
                break;
        }
    }", @"
    static void f(spinlock_t a, int k)
    {
        switch (k)
        {
            case 0:
                L.spin_lock(a);
                try
                {
                    need(a);
                }
                finally
                {
                    L.spin_unlock(a);
                }
                break;
        }
    }");

            yield return Fix<RequirementCodeFix>("MM1001", "goto", Wrap, @"
    static int f(spinlock_t a)
    {
        if ({|MM1001:get(a)|} == 0)
            goto done;
        return 1;
    done:
        return 0;
    }", @"
    static int f(spinlock_t a)
    {
        L.spin_lock(a);
        try
        {
            if (get(a) == 0)
                goto done;
        }
        finally
        {
            L.spin_unlock(a);
        }
        return 1;
    done:
        return 0;
    }");
            // The label stays on the block the wrap makes, so a jump to it takes the lock too.
            yield return Fix<RequirementCodeFix>("MM1001", "goto label", Wrap, @"
    static void f(spinlock_t a, bool b)
    {
    again:
        {|MM1001:need(a)|};
        if (b)
            goto again;
    }", @"
    static void f(spinlock_t a, bool b)
    {
    again:
        {
            L.spin_lock(a);
            try
            {
                need(a);
            }
            finally
            {
                L.spin_unlock(a);
            }
        }
        if (b)
            goto again;
    }");
            yield return Fix<RequirementCodeFix>("MM1001", "yield break", Wrap, @"
    static System.Collections.Generic.IEnumerable<int> f(spinlock_t a)
    {
        if ({|MM1001:get(a)|} == 0)
            yield break;
        yield return 1;
    }", @"
    static System.Collections.Generic.IEnumerable<int> f(spinlock_t a)
    {
        L.spin_lock(a);
        try
        {
            if (get(a) == 0)
                yield break;
        }
        finally
        {
            L.spin_unlock(a);
        }
        yield return 1;
    }");

            // MM2001..MM2006: the same wrap with the role's guard.
            yield return Covered<FixAllScopeTests>("MM2001", "statement", true, nameof(FixAllScopeTests.FixAllInScope));
            yield return Covered<MultiGuardWrapTests>("MM2002", "statement", true, nameof(MultiGuardWrapTests.HugetlbLookupTakesTheVmaLock));
            yield return Covered<MultiGuardWrapTests>("MM2002", "ambiguous vma", false, nameof(MultiGuardWrapTests.HugetlbLookupNotWrappedWhenTheVmaIsAmbiguous));
            yield return Covered<MultiGuardWrapTests>("MM2003", "statement", true, nameof(MultiGuardWrapTests.FreerMissingTwoHoldsGetsBothInLockOrder));
            yield return Covered<MultiGuardWrapTests>("MM2003", "shared hold of the freer's lock", false, nameof(MultiGuardWrapTests.FreerUnderASharedHotplugLockGetsNoWrap));
            yield return FixMm<RequirementCodeFix>("MM2001", "lambda", "MM2001" + RequirementCodeFix.WrapSuffix, @"
    static void f(mm_struct mm)
    {
        System.Action act = () =>
        {
            {|MM2001:{|MM2001:Kernel.walk_page_range_novma(mm, 0, 1)|}|};
        };
        act();
    }", @"
    static void f(mm_struct mm)
    {
        System.Action act = () =>
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
        };
        act();
    }");
            yield return FixMm<RequirementCodeFix>("MM2001", "expression lambda", "MM2001" + RequirementCodeFix.WrapSuffix, @"
    static void f(mm_struct mm)
    {
        System.Func<int> walk = () => {|MM2001:{|MM2001:Kernel.walk_page_range_novma(mm, 0, 1)|}|};
        walk();
    }", @"
    static void f(mm_struct mm)
    {
        System.Func<int> walk = () =>
        {
            Kernel.get_online_mems();
            try
            {
                Kernel.mmap_write_lock(K.init_mm);
                try
                {
                    return Kernel.walk_page_range_novma(mm, 0, 1);
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
        };
        walk();
    }");
            yield return FixMm<RequirementCodeFix>("MM2001", "expression body", "MM2001" + RequirementCodeFix.WrapSuffix, @"
    static int f(mm_struct mm) => {|MM2001:{|MM2001:Kernel.walk_page_range_novma(mm, 0, 1)|}|};", @"
    static int f(mm_struct mm)
    {
        Kernel.get_online_mems();
        try
        {
            Kernel.mmap_write_lock(K.init_mm);
            try
            {
                return Kernel.walk_page_range_novma(mm, 0, 1);
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
    }");
            yield return FixMm<RequirementCodeFix>("MM2004", "statement", "MM2004" + RequirementCodeFix.WrapSuffix, @"
    [MmLock.LeafModifier(""kernel"")] static void set_pte(ulong addr) { }
    static void f(ulong addr)
    {
        {|MM2004:set_pte(addr)|};
    }", @"
    [MmLock.LeafModifier(""kernel"")] static void set_pte(ulong addr) { }
    static void f(ulong addr)
    {
        Kernel.spin_lock(K.init_mm.page_table_lock);
        try
        {
            set_pte(addr);
        }
        finally
        {
            Kernel.spin_unlock(K.init_mm.page_table_lock);
        }
    }");
            yield return FixMm<RequirementCodeFix>("MM2006", "statement", "MM2006" + RequirementCodeFix.WrapSuffix, @"
    [MmLock.ReplacesLiveRoot(""M.K.IRQ"")] static void replace_root() { }
    static void f()
    {
        {|MM2006:replace_root()|};
    }", @"
    [MmLock.ReplacesLiveRoot(""M.K.IRQ"")] static void replace_root() { }
    static void f()
    {
        Kernel.local_irq_disable();
        try
        {
            replace_root();
        }
        finally
        {
            Kernel.local_irq_enable();
        }
    }");

            yield return FixMm<RequirementCodeFix>("MM2002", "expression body", "MM2002" + RequirementCodeFix.WrapSuffix, @"
    static ulong peek(vm_area_struct vma, ulong addr) => Kernel.huge_ptep_get({|MM2002:Kernel.huge_pte_offset(vma.vm_mm, addr, K.PMD_SIZE)|});", @"
    static ulong peek(vm_area_struct vma, ulong addr)
    {
        Kernel.hugetlb_vma_lock_read(vma);
        try
        {
            return Kernel.huge_ptep_get(Kernel.huge_pte_offset(vma.vm_mm, addr, K.PMD_SIZE));
        }
        finally
        {
            Kernel.hugetlb_vma_unlock_read(vma);
        }
    }");
            yield return FixMm<RequirementCodeFix>("MM2002", "expression lambda", "MM2002" + RequirementCodeFix.WrapSuffix, @"
    static void f(vm_area_struct vma, ulong addr)
    {
        System.Func<ulong> peek = () => Kernel.huge_ptep_get({|MM2002:Kernel.huge_pte_offset(vma.vm_mm, addr, K.PMD_SIZE)|});
        peek();
    }", @"
    static void f(vm_area_struct vma, ulong addr)
    {
        System.Func<ulong> peek = () =>
        {
            Kernel.hugetlb_vma_lock_read(vma);
            try
            {
                return Kernel.huge_ptep_get(Kernel.huge_pte_offset(vma.vm_mm, addr, K.PMD_SIZE));
            }
            finally
            {
                Kernel.hugetlb_vma_unlock_read(vma);
            }
        };
        peek();
    }");
            yield return FixMm<RequirementCodeFix>("MM2003", "expression body", "MM2003" + RequirementCodeFix.WrapSuffix, @"
    [MmLock.TableFreer(""kernel"", ""huge_vmap_collapse"")] static void free_tables() { }
    static void f() => {|MM2003:free_tables()|};", @"
    [MmLock.TableFreer(""kernel"", ""huge_vmap_collapse"")] static void free_tables() { }
    static void f()
    {
        Kernel.mmap_read_lock(K.init_mm);
        try
        {
            free_tables();
        }
        finally
        {
            Kernel.mmap_read_unlock(K.init_mm);
        }
    }");
            yield return FixMm<RequirementCodeFix>("MM2004", "lambda", "MM2004" + RequirementCodeFix.WrapSuffix, @"
    [MmLock.LeafModifier(""kernel"")] static void set_pte(ulong addr) { }
    static void f(ulong addr)
    {
        System.Action act = () =>
        {
            {|MM2004:set_pte(addr)|};
        };
        act();
    }", @"
    [MmLock.LeafModifier(""kernel"")] static void set_pte(ulong addr) { }
    static void f(ulong addr)
    {
        System.Action act = () =>
        {
            Kernel.spin_lock(K.init_mm.page_table_lock);
            try
            {
                set_pte(addr);
            }
            finally
            {
                Kernel.spin_unlock(K.init_mm.page_table_lock);
            }
        };
        act();
    }");
            yield return FixMm<RequirementCodeFix>("MM2006", "expression body", "MM2006" + RequirementCodeFix.WrapSuffix, @"
    [MmLock.ReplacesLiveRoot(""M.K.IRQ"")] static void replace_root() { }
    static void f() => {|MM2006:replace_root()|};", @"
    [MmLock.ReplacesLiveRoot(""M.K.IRQ"")] static void replace_root() { }
    static void f()
    {
        Kernel.local_irq_disable();
        try
        {
            replace_root();
        }
        finally
        {
            Kernel.local_irq_enable();
        }
    }");

            // Page-table rules inside local functions: a local function is a body of its own, the guard goes inside it.
            yield return FixMm<RequirementCodeFix>("MM2001", "local function", "MM2001" + RequirementCodeFix.WrapSuffix, @"
    static void f(mm_struct mm)
    {
        void walk()
        {
            {|MM2001:{|MM2001:Kernel.walk_page_range_novma(mm, 0, 1)|}|};
        }
        walk();
    }", @"
    static void f(mm_struct mm)
    {
        void walk()
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
        }
        walk();
    }");
            yield return FixMm<RequirementCodeFix>("MM2002", "local function", "MM2002" + RequirementCodeFix.WrapSuffix, @"
    static ulong f(vm_area_struct vma, ulong addr)
    {
        ulong peek() => Kernel.huge_ptep_get({|MM2002:Kernel.huge_pte_offset(vma.vm_mm, addr, K.PMD_SIZE)|});
        return peek();
    }", @"
    static ulong f(vm_area_struct vma, ulong addr)
    {
        ulong peek()
        {
            Kernel.hugetlb_vma_lock_read(vma);
            try
            {
                return Kernel.huge_ptep_get(Kernel.huge_pte_offset(vma.vm_mm, addr, K.PMD_SIZE));
            }
            finally
            {
                Kernel.hugetlb_vma_unlock_read(vma);
            }
        }
        return peek();
    }");
            yield return FixMm<RequirementCodeFix>("MM2003", "local function", "MM2003" + RequirementCodeFix.WrapSuffix, @"
    [MmLock.TableFreer(""kernel"", ""huge_vmap_collapse"")] static void free_tables() { }
    static void f()
    {
        void local()
        {
            {|MM2003:free_tables()|};
        }
        local();
    }", @"
    [MmLock.TableFreer(""kernel"", ""huge_vmap_collapse"")] static void free_tables() { }
    static void f()
    {
        void local()
        {
            Kernel.mmap_read_lock(K.init_mm);
            try
            {
                free_tables();
            }
            finally
            {
                Kernel.mmap_read_unlock(K.init_mm);
            }
        }
        local();
    }");
            yield return FixMm<RequirementCodeFix>("MM2004", "local function", "MM2004" + RequirementCodeFix.WrapSuffix, @"
    [MmLock.LeafModifier(""kernel"")] static void set_pte(ulong addr) { }
    static void f(ulong addr)
    {
        void local() => {|MM2004:set_pte(addr)|};
        local();
    }", @"
    [MmLock.LeafModifier(""kernel"")] static void set_pte(ulong addr) { }
    static void f(ulong addr)
    {
        void local()
        {
            Kernel.spin_lock(K.init_mm.page_table_lock);
            try
            {
                set_pte(addr);
            }
            finally
            {
                Kernel.spin_unlock(K.init_mm.page_table_lock);
            }
        }
        local();
    }");

            // MM1004: the release at each exit kind.
            yield return Covered<AddMissingReleaseTests>("MM1004", "end of body", true, nameof(AddMissingReleaseTests.WrapsTheRestOfTheBlockInFinally));
            yield return Covered<ReleaseAtExitTests>("MM1004", "return", true, nameof(ReleaseAtExitTests.EarlyReturnGetsTheReleaseBeforeIt));
            yield return Covered<ReleaseAtExitTests>("MM1004", "throw", true, nameof(ReleaseAtExitTests.ThrowInABlockGetsTheReleaseBeforeIt));
            yield return Covered<ReleaseAtExitTests>("MM1004", "throw expression", true, nameof(ReleaseAtExitTests.ThrowExpressionGetsTryFinally));
            yield return Covered<ReleaseAtExitTests>("MM1004", "goto", true, nameof(ReleaseAtExitTests.ExitAfterAGotoLabelGetsTheReleaseAfterTheLabel));
            yield return Covered<ReleaseAtExitTests>("MM1004", "yield break", true, nameof(ReleaseAtExitTests.YieldBreakGetsTryFinally));
            yield return Covered<ReleaseAtExitTests>("MM1004", "switch section", true, nameof(ReleaseAtExitTests.ReturnInASwitchSectionGetsTheReleaseBeforeIt));
            yield return Covered<ReleaseAtExitTests>("MM1004", "lambda", true, nameof(ReleaseAtExitTests.LambdaBodyGetsTheReleaseAtItsEnd));
            yield return Covered<ReleaseAtExitTests>("MM1004", "scoped guard in a field", false, nameof(ReleaseAtExitTests.ScopedGuardInAFieldGetsNoRelease));
            yield return Covered<ReleaseAtExitTests>("MM1004", "maybe held", false, nameof(ReleaseAtExitTests.MaybeHeldEndGetsNothingTheCertainExitItsRelease));
            yield return Fix<AddMissingReleaseCodeFix>("MM1004", "local function", AddMissingReleaseCodeFix.EquivalenceKey, @"
    static void f(spinlock_t a)
    {
        void local()
        {
            L.spin_lock(a);
            a.ToString();
        {|MM1004:}|}
        local();
    }", @"
    static void f(spinlock_t a)
    {
        void local()
        {
            L.spin_lock(a);
            try
            {
                a.ToString();
            }
            finally
            {
                L.spin_unlock(a);
            }
        }
        local();
    }");
            yield return Fix<AddMissingReleaseCodeFix>("MM1004", "accessor", AddMissingReleaseCodeFix.EquivalenceKey, @"
    readonly spinlock_t s = new spinlock_t();
    int x;
    int P
    {
        set
        {
            L.spin_lock(s);
            x = value;
        {|MM1004:}|}
    }", @"
    readonly spinlock_t s = new spinlock_t();
    int x;
    int P
    {
        set
        {
            L.spin_lock(s);
            try
            {
                x = value;
            }
            finally
            {
                L.spin_unlock(s);
            }
        }
    }");
            yield return Fix<AddMissingReleaseCodeFix>("MM1004", "constructor", AddMissingReleaseCodeFix.EquivalenceKey, @"
    C(spinlock_t a)
    {
        L.spin_lock(a);
        a.ToString();
    {|MM1004:}|}", @"
    C(spinlock_t a)
    {
        L.spin_lock(a);
        try
        {
            a.ToString();
        }
        finally
        {
            L.spin_unlock(a);
        }
    }");
            yield return Fix<AddMissingReleaseCodeFix>("MM1004", "using block", AddMissingReleaseCodeFix.EquivalenceKey, @"
    static void f(spinlock_t a, System.IDisposable d)
    {
        using (d)
        {
            L.spin_lock(a);
            a.ToString();
        }
    {|MM1004:}|}", @"
    static void f(spinlock_t a, System.IDisposable d)
    {
        using (d)
        {
            L.spin_lock(a);
            try
            {
                a.ToString();
            }
            finally
            {
                L.spin_unlock(a);
            }
        }
    }");
            yield return None<AddMissingReleaseCodeFix>("MM1004", "expression body", @"
    static void f(spinlock_t a) => {|MM1004:L.spin_lock(a)|};");

            // MM1008: the body does what its contract says on every path.
            yield return Covered<ContractBodyTests>("MM1008", "release, statement", true, nameof(ContractBodyTests.ReleaseMovesToAFinally));
            yield return Covered<ContractBodyTests>("MM1008", "acquire in a branch", true, nameof(ContractBodyTests.AcquireInABranchMovesToTheStart));
            yield return Covered<ContractBodyTests>("MM1008", "empty body", true, nameof(ContractBodyTests.EmptyBodyGetsTheAcquire));
            yield return Covered<ContractBodyTests>("MM1008", "expression body", true, nameof(ContractBodyTests.ExpressionBodyGetsABlockWithTheAcquire));
            yield return Covered<ContractBodyTests>("MM1008", "throw-only releases body", true, nameof(ContractBodyTests.ThrowOnlyReleasesBodyGetsTheReleaseInAFinally));
            yield return Covered<ContractBodyTests>("MM1008", "throw-only acquires body", false, nameof(ContractBodyTests.NotOfferedForAThrowOnlyAcquiresBody));
            yield return Covered<ContractBodyTests>("MM1008", "loop", false, nameof(ContractBodyTests.NotOfferedForAnAcquireInALoop));
            yield return Covered<ContractBodyTests>("MM1008", "wrong context", false, nameof(ContractBodyTests.NotOfferedForTheWrongContext));
            yield return Fix<ContractBodyCodeFix>("MM1008", "local function", ContractBodyCodeFix.AcquireKey, @"
    static void f(spinlock_t a, bool b)
    {
        [Acquires(""l"")]
        void {|MM1008:lock_it|}(spinlock_t l)
        {
            if (b)
                return;
            L.spin_lock(l);
        }
        lock_it(a);
        L.spin_unlock(a);
    }", @"
    static void f(spinlock_t a, bool b)
    {
        [Acquires(""l"")]
        void lock_it(spinlock_t l)
        {
            L.spin_lock(l);
            if (b)
                return;
        }
        lock_it(a);
        L.spin_unlock(a);
    }");
            yield return Fix<ContractBodyCodeFix>("MM1008", "lambda", ContractBodyCodeFix.ReleaseKey, @"
    static void f(spinlock_t a, bool b)
    {
        System.Action<spinlock_t> unlock = [Releases(""l"")] (spinlock_t l) {|MM1008:=>|}
        {
            if (b)
                return;
            L.spin_unlock(l);
        };
        unlock.ToString();
    }", @"
    static void f(spinlock_t a, bool b)
    {
        System.Action<spinlock_t> unlock = [Releases(""l"")] (spinlock_t l) =>
        {
            try
            {
                if (b)
                    return;
            }
            finally
            {
                L.spin_unlock(l);
            }
        };
        unlock.ToString();
    }");
            yield return Fix<ContractBodyCodeFix>("MM1008", "expression lambda", ContractBodyCodeFix.ReleaseKey, @"
    static void f()
    {
        System.Action<spinlock_t> unlock = [Releases(""l"")] (spinlock_t l) {|MM1008:=>|} l.ToString();
        unlock.ToString();
    }", @"
    static void f()
    {
        System.Action<spinlock_t> unlock = [Releases(""l"")] (spinlock_t l) =>
        {
            try
            {
                l.ToString();
            }
            finally
            {
                L.spin_unlock(l);
            }
        };
        unlock.ToString();
    }");
            yield return Fix<ContractBodyCodeFix>("MM1008", "accessor", ContractBodyCodeFix.ReleaseKey, @"
    readonly spinlock_t s = new spinlock_t();
    bool b;
    int P
    {
        [Releases(""this.s"")]
        {|MM1008:set|}
        {
            if (b)
                return;
            L.spin_unlock(s);
        }
    }", @"
    readonly spinlock_t s = new spinlock_t();
    bool b;
    int P
    {
        [Releases(""this.s"")]
        set
        {
            try
            {
                if (b)
                    return;
            }
            finally
            {
                L.spin_unlock(s);
            }
        }
    }");

            // MM1002: remove the unmatched release (or release the mode held).
            yield return Covered<RemoveUnmatchedReleaseTests>("MM1002", "statement", true, nameof(RemoveUnmatchedReleaseTests.RemovesReleaseOfContextNotHeld));
            yield return Covered<RemoveUnmatchedReleaseTests>("MM1002", "wrong mode", true, nameof(RemoveUnmatchedReleaseTests.WrongModeReleasesTheHeldMode));
            yield return Covered<RemoveUnmatchedReleaseTests>("MM1002", "try-lock may hold it", false, nameof(RemoveUnmatchedReleaseTests.RemovalNotOfferedWhenATryLockMayHoldIt));
            yield return Fix<RemoveUnmatchedReleaseCodeFix>("MM1002", "lambda", RemoveUnmatchedReleaseCodeFix.EquivalenceKey, @"
    static void f(spinlock_t a)
    {
        System.Action act = () =>
        {
            a.ToString();
            {|MM1002:L.spin_unlock(a)|};
        };
        act();
    }", @"
    static void f(spinlock_t a)
    {
        System.Action act = () =>
        {
            a.ToString();
        };
        act();
    }");
            yield return Fix<RemoveUnmatchedReleaseCodeFix>("MM1002", "expression lambda", RemoveUnmatchedReleaseCodeFix.EquivalenceKey, @"
    static void f(spinlock_t a)
    {
        System.Action act = () => {|MM1002:L.spin_unlock(a)|};
        act();
    }", @"
    static void f(spinlock_t a)
    {
        System.Action act = () => { };
        act();
    }");
            yield return Fix<RemoveUnmatchedReleaseCodeFix>("MM1002", "expression body", RemoveUnmatchedReleaseCodeFix.EquivalenceKey, @"
    static void g(spinlock_t a) => {|MM1002:L.spin_unlock(a)|};", @"
    static void g(spinlock_t a)
    {
    }");
            yield return Fix<RemoveUnmatchedReleaseCodeFix>("MM1002", "switch section", RemoveUnmatchedReleaseCodeFix.EquivalenceKey, @"
    static void f(spinlock_t a, int k)
    {
        switch (k)
        {
            case 0:
                {|MM1002:L.spin_unlock(a)|};
                break;
        }
    }", @"
    static void f(spinlock_t a, int k)
    {
        switch (k)
        {
            case 0:
                break;
        }
    }");
            yield return Fix<RemoveUnmatchedReleaseCodeFix>("MM1002", "constructor", RemoveUnmatchedReleaseCodeFix.EquivalenceKey, @"
    C(spinlock_t a)
    {
        a.ToString();
        {|MM1002:L.spin_unlock(a)|};
    }", @"
    C(spinlock_t a)
    {
        a.ToString();
    }");

            // MM3001: move the sleeping call out of the atomic section.
            yield return Covered<SleepingCallTests>("MM3001", "statement", true, nameof(SleepingCallTests.MovesAfterTheRelease));
            yield return Covered<SleepingCallTests>("MM3001", "try/finally section", true, nameof(SleepingCallTests.MovesAfterATryFinallySection));
            yield return Covered<SleepingCallTests>("MM3001", "using block", true, nameof(SleepingCallTests.MovesAfterAUsingBlock));
            yield return Covered<SleepingCallTests>("MM3001", "using declaration", true, nameof(SleepingCallTests.MovesBeforeAUsingDeclaration));
            yield return Covered<SleepingCallTests>("MM3001", "using declaration, value computed under it", false,
                nameof(SleepingCallTests.NoFixAfterAUsingDeclarationWhenTheCallUsesAValueComputedUnderIt));
            yield return Covered<SleepingCallTests>("MM3001", "held on entry", false, nameof(SleepingCallTests.NoFixWhenTheAtomicContextIsHeldOnEntry));
            yield return Covered<SleepingCallTests>("MM3001", "data flow both ways", false, nameof(SleepingCallTests.NoFixWhenBothDirectionsBreakTheDataFlow));
            yield return Covered<SleepingCallTests>("MM3001", "exit in between", false, nameof(SleepingCallTests.NoFixWhenAPathLeavesInBetween));
            yield return FixMm<SleepingCallCodeFix>("MM3001", "lambda", SleepingCallCodeFix.AfterKey, @"
    static void f(spinlock_t ptl)
    {
        System.Action act = () =>
        {
            Kernel.spin_lock(ptl);
            {|MM3001:Kernel.synchronize_rcu()|};
            Kernel.spin_unlock(ptl);
        };
        act();
    }", @"
    static void f(spinlock_t ptl)
    {
        System.Action act = () =>
        {
            Kernel.spin_lock(ptl);
            Kernel.spin_unlock(ptl);
            Kernel.synchronize_rcu();
        };
        act();
    }");
            yield return FixMm<SleepingCallCodeFix>("MM3001", "local function", SleepingCallCodeFix.BeforeKey, @"
    static void f(spinlock_t ptl)
    {
        void local()
        {
            Kernel.spin_lock(ptl);
            {|MM3001:Kernel.synchronize_rcu()|};
            Kernel.spin_unlock(ptl);
        }
        local();
    }", @"
    static void f(spinlock_t ptl)
    {
        void local()
        {
            Kernel.synchronize_rcu();
            Kernel.spin_lock(ptl);
            Kernel.spin_unlock(ptl);
        }
        local();
    }");
            yield return FixMm<SleepingCallCodeFix>("MM3001", "switch section", SleepingCallCodeFix.AfterKey, @"
    static void f(spinlock_t ptl, int k)
    {
        switch (k)
        {
            case 0:
                Kernel.spin_lock(ptl);
                {|MM3001:Kernel.synchronize_rcu()|};
                Kernel.spin_unlock(ptl);
                break;
        }
    }", @"
    static void f(spinlock_t ptl, int k)
    {
        switch (k)
        {
            case 0:
                Kernel.spin_lock(ptl);
                Kernel.spin_unlock(ptl);
                Kernel.synchronize_rcu();
                break;
        }
    }");
            yield return FixMm<SleepingCallCodeFix>("MM3001", "constructor", SleepingCallCodeFix.AfterKey, @"
    sealed class D
    {
        D(spinlock_t ptl)
        {
            Kernel.spin_lock(ptl);
            {|MM3001:Kernel.synchronize_rcu()|};
            Kernel.spin_unlock(ptl);
        }
    }", @"
    sealed class D
    {
        D(spinlock_t ptl)
        {
            Kernel.spin_lock(ptl);
            Kernel.spin_unlock(ptl);
            Kernel.synchronize_rcu();
        }
    }");
            yield return FixMm<SleepingCallCodeFix>("MM3001", "accessor", SleepingCallCodeFix.AfterKey, @"
    static int P
    {
        get
        {
            Kernel.spin_lock(K.init_mm.page_table_lock);
            {|MM3001:Kernel.cond_resched()|};
            Kernel.spin_unlock(K.init_mm.page_table_lock);
            return 0;
        }
    }", @"
    static int P
    {
        get
        {
            Kernel.spin_lock(K.init_mm.page_table_lock);
            Kernel.spin_unlock(K.init_mm.page_table_lock);
            Kernel.cond_resched();
            return 0;
        }
    }");
            yield return NoneMm<SleepingCallCodeFix>("MM3001", "expression body", @"
    [MmLock.Requires(""ptl"")] static void f(spinlock_t ptl) => {|MM3001:Kernel.synchronize_rcu()|};");

            // MM2005: widen the section or look the entry up again.
            yield return Covered<GuardedReferenceTests>("MM2005", "statement", true, nameof(GuardedReferenceTests.WidenMovesTheReleaseAfterTheUse));
            yield return Covered<GuardedReferenceTests>("MM2005", "look up again", true, nameof(GuardedReferenceTests.HugetlbLookUpAgainUnderTheVmaLock));
            yield return Covered<GuardedReferenceTests>("MM2005", "return in between", false, nameof(GuardedReferenceTests.HugetlbNoWidenOverAReturn));
            yield return Covered<GuardedReferenceTests>("MM2005", "arguments with side effects", false, nameof(GuardedReferenceTests.NoLookUpAgainWhenTheArgumentsHaveSideEffects));
            yield return FixMm<GuardedReferenceCodeFix>("MM2005", "lambda", GuardedReferenceCodeFix.WidenKey, @"
    static void f(vm_area_struct vma, ulong addr)
    {
        System.Func<ulong> peek = () =>
        {
            Kernel.hugetlb_vma_lock_read(vma);
            var ptep = Kernel.huge_pte_offset(vma.vm_mm, addr, K.PMD_SIZE);
            Kernel.hugetlb_vma_unlock_read(vma);
            var v = Kernel.huge_ptep_get({|MM2005:ptep|});
            return v;
        };
        peek();
    }", @"
    static void f(vm_area_struct vma, ulong addr)
    {
        System.Func<ulong> peek = () =>
        {
            Kernel.hugetlb_vma_lock_read(vma);
            var ptep = Kernel.huge_pte_offset(vma.vm_mm, addr, K.PMD_SIZE);
            var v = Kernel.huge_ptep_get(ptep);
            Kernel.hugetlb_vma_unlock_read(vma);
            return v;
        };
        peek();
    }");
            yield return FixMm<GuardedReferenceCodeFix>("MM2005", "copy", GuardedReferenceCodeFix.WidenKey, @"
    static ulong f(vm_area_struct vma, ulong addr)
    {
        Kernel.hugetlb_vma_lock_read(vma);
        var ptep = Kernel.huge_pte_offset(vma.vm_mm, addr, K.PMD_SIZE);
        var copy = ptep;
        Kernel.hugetlb_vma_unlock_read(vma);
        var v = Kernel.huge_ptep_get({|MM2005:copy|});
        return v;
    }", @"
    static ulong f(vm_area_struct vma, ulong addr)
    {
        Kernel.hugetlb_vma_lock_read(vma);
        var ptep = Kernel.huge_pte_offset(vma.vm_mm, addr, K.PMD_SIZE);
        var copy = ptep;
        var v = Kernel.huge_ptep_get(copy);
        Kernel.hugetlb_vma_unlock_read(vma);
        return v;
    }");

            yield return FixMm<GuardedReferenceCodeFix>("MM2005", "local function", GuardedReferenceCodeFix.WidenKey, @"
    static ulong f(vm_area_struct vma, ulong addr)
    {
        ulong peek()
        {
            Kernel.hugetlb_vma_lock_read(vma);
            var ptep = Kernel.huge_pte_offset(vma.vm_mm, addr, K.PMD_SIZE);
            Kernel.hugetlb_vma_unlock_read(vma);
            var v = Kernel.huge_ptep_get({|MM2005:ptep|});
            return v;
        }
        return peek();
    }", @"
    static ulong f(vm_area_struct vma, ulong addr)
    {
        ulong peek()
        {
            Kernel.hugetlb_vma_lock_read(vma);
            var ptep = Kernel.huge_pte_offset(vma.vm_mm, addr, K.PMD_SIZE);
            var v = Kernel.huge_ptep_get(ptep);
            Kernel.hugetlb_vma_unlock_read(vma);
            return v;
        }
        return peek();
    }");
            yield return FixMm<GuardedReferenceCodeFix>("MM2005", "switch section", GuardedReferenceCodeFix.WidenKey, SwitchLookup, @"
    static ulong f(vm_area_struct vma, ulong addr, int k)
    {
        switch (k)
        {
            case 0:
                Kernel.hugetlb_vma_lock_read(vma);
                var ptep = Kernel.huge_pte_offset(vma.vm_mm, addr, K.PMD_SIZE);
                var v = Kernel.huge_ptep_get(ptep);
                Kernel.hugetlb_vma_unlock_read(vma);
                return v;
        }
        return 0;
    }");
            yield return FixMm<GuardedReferenceCodeFix>("MM2005", "switch section, look up again", GuardedReferenceCodeFix.LookUpAgainKey, SwitchLookup, @"
    static ulong f(vm_area_struct vma, ulong addr, int k)
    {
        switch (k)
        {
            case 0:
                Kernel.hugetlb_vma_lock_read(vma);
                var ptep = Kernel.huge_pte_offset(vma.vm_mm, addr, K.PMD_SIZE);
                Kernel.hugetlb_vma_unlock_read(vma);
                Kernel.hugetlb_vma_lock_read(vma);
                try
                {
                    ptep = Kernel.huge_pte_offset(vma.vm_mm, addr, K.PMD_SIZE);
                    var v = Kernel.huge_ptep_get(ptep);
                    return v;
                }
                finally
                {
                    Kernel.hugetlb_vma_unlock_read(vma);
                }
        }
        return 0;
    }");

            // Comments kept exactly once, and the move to the caller's count of the callers that will need the context.
            yield return Covered<CommentTriviaTests>("MM1001", "comments", true, nameof(CommentTriviaTests.WrapTryFinallyKeepsEachComment));
            yield return Covered<CommentTriviaTests>("MM1001", "comments, embedded statement", true, nameof(CommentTriviaTests.WrapOfAnEmbeddedStatementKeepsItsCommentInsideTheBlock));
            yield return Covered<CommentTriviaTests>("MM1001", "comments, using block", true, nameof(CommentTriviaTests.WrapUsingKeepsEachComment));
            yield return Covered<MoveToCallerCountTests>("MM1001", "move to the caller, callers in the solution", true, nameof(MoveToCallerCountTests.TheCallersGetTheDiagnostics));
            yield return Covered<CommentTriviaTests>("MM1004", "comments", true, nameof(CommentTriviaTests.ReleaseFinallyKeepsEachComment));
            yield return Covered<CommentTriviaTests>("MM1004", "comments on a removed release", true, nameof(CommentTriviaTests.ReleaseFinallyTakesTheRemovedReleasesComments));
            yield return Covered<CommentTriviaTests>("MM1004", "comments, embedded exit", true, nameof(CommentTriviaTests.ReleaseBeforeAnEmbeddedExitKeepsItsCommentOnTheExit));
            yield return Covered<CommentTriviaTests>("MM1008", "comments on a removed release", true, nameof(CommentTriviaTests.ContractReleaseFinallyTakesTheRemovedReleasesComments));
            yield return Covered<CommentTriviaTests>("MM1008", "comments on a moved acquire", true, nameof(CommentTriviaTests.AcquireFirstMovesTheAcquiresComments));
            yield return Covered<CommentTriviaTests>("MM2001", "comments", true, nameof(CommentTriviaTests.MultiGuardWrapKeepsEachComment));
            yield return Covered<CommentTriviaTests>("MM2005", "comments", true, nameof(CommentTriviaTests.WidenMovesTheReleaseWithItsComments));
            yield return Covered<CommentTriviaTests>("MM2005", "comments, look up again", true, nameof(CommentTriviaTests.LookUpAgainInAReacquiredSectionKeepsEachComment));
            yield return Covered<CommentTriviaTests>("MM3001", "comments", true, nameof(CommentTriviaTests.MoveAfterTheReleaseTakesTheCallsComments));
        }

        [Fact]
        public async Task EveryRuleOfSection5InEveryShape()
        {
            var cells = Cells().ToList();
            var failures = new List<string>();
            foreach (var cell in cells)
            {
                if (cell.Run == null)
                {
                    if (cell.CoveredBy == null || !cell.CoveredBy.GetCustomAttributes<FactAttribute>().Any())
                        failures.Add($"{cell.Rule} × {cell.Shape}: the covering test does not exist");
                    continue;
                }
                try { await cell.Run(); }
                catch (Exception e) { failures.Add($"{cell.Rule} × {cell.Shape}: {e.Message}"); }
            }
            int ran = cells.Count(c => c.Run != null);
            _output.WriteLine($"fix matrix: {cells.Count} cells ({ran} run here, {cells.Count - ran} by the named tests), " +
                $"{cells.Count(c => c.Fixed)} fixed, {cells.Count(c => !c.Fixed)} no-fix-by-design, {failures.Count} failed");
            foreach (var rule in cells.GroupBy(c => c.Rule).OrderBy(g => g.Key, StringComparer.Ordinal))
                _output.WriteLine($"  {rule.Key}: " + string.Join(", ", rule.Select(c => c.Shape + (c.Fixed ? "" : " (no fix)"))));
            // Every rule of §5 has cells.
            var missing = new[] { "MM1001", "MM1002", "MM1004", "MM1008", "MM2001", "MM2002", "MM2003", "MM2004", "MM2005", "MM2006", "MM3001" }
                .Where(r => cells.All(c => c.Rule != r)).ToList();
            Assert.True(missing.Count == 0, "rules without cells: " + string.Join(", ", missing));
            Assert.True(failures.Count == 0, string.Join("\n\n", failures));
        }
    }
}
