using System.Linq;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using MmLock.Analyzers.Rules;
using MmLock.Analyzers.Tests.Verification;
using MmLock.CodeFixes;
using Xunit;

namespace MmLock.Analyzers.Tests.Fixes
{
    /// <summary>What the fixes read from the diagnostics: canonical keys in properties, not quoted names in messages.</summary>
    public class DiagnosticPropertiesTests
    {
        private const string Source = @"
using M;
static class C
{
    [MmLock.Requires(""m"")] static void need(mutex m) { }

    [MmLock.Releases(""ptl"")]
    static ulong f(spinlock_t ptl, mutex lk, mm_struct mm, vm_area_struct vma, ulong addr, bool b)
    {
        if (b)
            return 0;
        need(lk);
        Kernel.walk_page_range_novma(mm, 0, 1);
        Kernel.hugetlb_vma_lock_read(vma);
        var ptep = Kernel.huge_pte_offset(vma.vm_mm, addr, K.PMD_SIZE);
        Kernel.hugetlb_vma_unlock_read(vma);
        Kernel.synchronize_rcu();
        Kernel.spin_unlock(ptl);
        return Kernel.huge_ptep_get(ptep);
    }
}";

        [Fact]
        public async Task KeysKindsAndLookup()
        {
            var test = FixVerifier.Create<RequirementCodeFix>(MmKernel.Prelude, Source, Source, null, symbols: MmKernel.Symbols);
            var solution = test.CreateSolution(test.Parse(test.Sources, test.ExpectedDiagnostics).Documents);
            var diagnostics = await test.AnalyzeAsync(solution, ideChecks: false, "source");
            string? Property(string id, string key, int index = 0) =>
                diagnostics.Where(d => d.Id == id).OrderBy(d => d.GetMessage()).ElementAt(index).Properties.TryGetValue(key, out var v) ? v : null;

            Assert.Equal("Requires", Property("MM1001", DiagnosticProperties.Kind));
            Assert.Equal("param:lk", Property("MM1001", DiagnosticProperties.Missing));
            Assert.Equal("Walker", Property("MM2001", DiagnosticProperties.Kind));
            Assert.Equal("static:M.K.mem_hotplug_lock", Property("MM2001", DiagnosticProperties.Missing, 0));
            Assert.Equal("static:M.K.init_mm.mmap_lock", Property("MM2001", DiagnosticProperties.Missing, 1));
            Assert.Equal("param:vma.vm_private_data", Property("MM2005", DiagnosticProperties.Context));
            var lookup = Property("MM2005", DiagnosticProperties.Lookup)!.Split(':').Select(int.Parse).ToArray();
            var text = (await solution.Projects.First().Documents.First(d => d.FilePath == "/0/Test0.cs").GetTextAsync()).ToString();
            Assert.Equal("Kernel.huge_pte_offset(vma.vm_mm, addr, K.PMD_SIZE)", text.Substring(lookup[0], lookup[1]));
            Assert.Equal("param:ptl", Property("MM3001", DiagnosticProperties.Context));
            Assert.Equal("acquire", Property("MM3001", DiagnosticProperties.Kind, 0));
            Assert.Equal("call", Property("MM3001", DiagnosticProperties.Kind, 1));
            Assert.Equal("param:ptl", Property("MM1008", DiagnosticProperties.Context));
            Assert.Equal("release", Property("MM1008", DiagnosticProperties.Kind));
        }
    }
}
