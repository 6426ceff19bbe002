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
    /// Fix All where edits overlap inside one member (the batch fixer kept one of them), in a solution of two projects with two
    /// documents in TestProject (members a, b in Test0; c in Test1) and one in TestProject1 (d). Each application fixes its
    /// whole scope and nothing outside it: three applications at document scope, two at project scope, one at solution scope,
    /// and none of the fixed ID is left.
    /// </summary>
    public class FixAllOverlapScopeTests
    {
        private sealed record Case(System.Func<CodeFixTestBase> Create, string Key, string Before, string After);

        /// <summary>The type-erased test so that cases of different providers share one table.</summary>
        private abstract class CodeFixTestBase
        {
            public abstract Task RunAsync(FixAllScope scope, string key, IEnumerable<(string, string)> sources, IEnumerable<(string, string)> fixedSources);
        }

        private sealed class With<TFix> : CodeFixTestBase where TFix : CodeFixProvider, new()
        {
            public override Task RunAsync(FixAllScope scope, string key, IEnumerable<(string, string)> sources, IEnumerable<(string, string)> fixedSources)
            {
                var test = new CodeFixTest<MmLockAnalyzer, TFix>
                {
                    CodeActionEquivalenceKey = key,
                    FixAllScope = scope,
                    ExpectedBatchIterations = scope switch { FixAllScope.Document => 3, FixAllScope.Project => 2, _ => 1 },
                    // Single fixes: five moves in each of four members.
                    MaxIterations = 40,
                };
                test.Sources.AddRange(sources);
                test.FixedSources.AddRange(fixedSources);
                test.PreprocessorSymbols.AddRange(MmKernel.Symbols);
                return test.RunAsync();
            }
        }

        private static readonly Dictionary<string, Case> Cases = new()
        {
            // Five moves to one attribute list.
            ["FiveRequirements"] = new(() => new With<RequirementCodeFix>(), "MM1001" + RequirementCodeFix.MoveSuffix, @"
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
            ["TwoLeaks"] = new(() => new With<AddMissingReleaseCodeFix>(), AddMissingReleaseCodeFix.EquivalenceKey, @"
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
            ["TwoRoles"] = new(() => new With<RequirementCodeFix>(), "MM2001" + RequirementCodeFix.MoveSuffix, @"
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

        private static (string, string)[] Solution(string member) => new[]
        {
            ("/0/Kernel.cs", MmKernel.Prelude),
            ("/0/Test0.cs", Document("C0", member, "a", "b")),
            ("/0/Test1.cs", Document("C1", member, "c")),
            ("/1/Test0.cs", Document("C2", member, "d")),
        };

        [Theory]
        [MemberData(nameof(Scopes))]
        public Task OverlappingEditsAllLandInScope(string name, FixAllScope scope)
        {
            var c = Cases[name];
            return c.Create().RunAsync(scope, c.Key, Solution(c.Before), Solution(c.After));
        }
    }
}
