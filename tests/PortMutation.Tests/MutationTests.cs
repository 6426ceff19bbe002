using System.Collections.Generic;
using System.Linq;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Xunit;

namespace MmLock.PortMutation.Tests
{
    /// <summary>Sites are found from the attributes, each removal takes its own releases only, and the verdict is what the analyzers add.</summary>
    public class MutationTests
    {
        private const string Locks = @"
using MmLock;
[Context(Atomic = true)] public sealed class spinlock_t { }
public static class L
{
    [Acquires(""l""), NoLockAnalysis(""primitive"")] public static void spin_lock(spinlock_t l) { }
    [Releases(""l""), NoLockAnalysis(""primitive"")] public static void spin_unlock(spinlock_t l) { }
    [TryAcquires(true, ""l""), NoLockAnalysis(""primitive"")] public static bool spin_trylock(spinlock_t l) => true;
    [Acquires(""l""), NoLockAnalysis(""primitive"")] public static ulong spin_lock_irqsave(spinlock_t l) => 0;
    [Releases(""l""), NoLockAnalysis(""primitive"")] public static void spin_unlock_irqrestore(spinlock_t l, ulong flags) { }
    [AssertsHeld(""l""), NoLockAnalysis(""primitive"")] public static void lockdep_assert_held(spinlock_t l) { }
    [Requires(""l"")] public static void set_locked(spinlock_t l) { }
}
";

        private static Compilation Compile(string code) => CSharpCompilation.Create("T",
            new[] { CSharpSyntaxTree.ParseText(Locks, path: "/src/Locks.cs"), CSharpSyntaxTree.ParseText(code, path: "/src/Code.cs") },
            Basic.Reference.Assemblies.Net80.References.All.Append(MetadataReference.CreateFromFile(typeof(MmLock.ContextAttribute).Assembly.Location)),
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary));

        private static string Mutant(Compilation c, GuardSite site) =>
            Mutation.Apply(site.Tree, new[] { site }, c.GetSemanticModel(site.Tree)).Tree.GetRoot().NormalizeWhitespace().ToFullString();

        private const string TwoSections = @"
public static class F
{
    public static void two(spinlock_t a)
    {
        L.spin_lock(a);
        L.set_locked(a);
        L.spin_unlock(a);
        L.spin_lock(a);
        if (a == null) { L.spin_unlock(a); return; }
        L.spin_unlock(a);
    }
}";

        [Fact]
        public void Find_NumbersRepeatedAcquisitions_AndSkipsThePrimitives()
        {
            var sites = GuardSites.Find(Compile(TwoSections), "/src");
            Assert.Equal(new[] { "Code.cs: F.two: spin_lock(a) #1", "Code.cs: F.two: spin_lock(a) #2" }, sites.Select(s => s.Key));
            Assert.Single(sites[0].Releases);
            Assert.Equal(2, sites[1].Releases.Count);
        }

        [Fact]
        public void Apply_RemovesTheAcquisitionWithItsOwnReleasesOnly()
        {
            var c = Compile(TwoSections);
            var sites = GuardSites.Find(c, "/src");
            string second = Mutant(c, sites[1]);
            Assert.Equal(1, Count(second, "L.spin_lock(a)"));
            Assert.Equal(1, Count(second, "L.spin_unlock(a)"));
            Assert.Contains("if (a == null)\n        {\n            {\n            }\n\n            return;", second.Replace("\r", ""));
        }

        [Fact]
        public void Apply_ReplacesATryAcquireByItsSuccessValue_AndASavedStateByItsDefault()
        {
            var c = Compile(@"
public static class F
{
    public static void t(spinlock_t a) { if (L.spin_trylock(a)) { L.spin_unlock(a); } }
    public static void s(spinlock_t a) { ulong flags = L.spin_lock_irqsave(a); L.spin_unlock_irqrestore(a, flags); }
}");
            var sites = GuardSites.Find(c, "/src");
            Assert.All(sites, s => Assert.Null(s.Unmutable));
            Assert.Contains("if (true)", Mutant(c, sites.Single(s => s.Key.Contains("F.t:"))));
            Assert.Contains("ulong flags = default(ulong);", Mutant(c, sites.Single(s => s.Key.Contains("F.s:"))));
        }

        [Fact]
        public async Task Verdict_IsWhatTheAnalyzersAdd_OneSitePerMemberInEachMutant()
        {
            var c = Compile(TwoSections + @"
public static class G
{
    public static void unneeded(spinlock_t a) { L.spin_lock(a); L.spin_unlock(a); }
}");
            var sites = GuardSites.Find(c, "/src");
            var verdict = new StaticVerdict(c);
            var results = await verdict.AnalyseAsync(sites, oneAtATime: false);
            Assert.Equal(2, verdict.Mutants);
            Assert.Equal(new[] { "MM1001" }, results[sites.Single(s => s.Key.EndsWith("#1"))].Ids);
            Assert.Empty(results[sites.Single(s => s.Key.EndsWith("#2"))].Ids);
            Assert.Empty(results[sites.Single(s => s.Key.Contains("G.unneeded"))].Ids);
        }

        [Fact]
        public void Check_WantsAReasonForEveryUnflaggedSite_AndNoStaleRow()
        {
            var names = new[] { "p1", "p2" };
            var computed = new List<AuditRow> { new("a", new[] { "MM1001", AuditTable.NotFlagged }, "not run", "") };
            string document = AuditTable.Write("# audit\n", names, computed.Append(new AuditRow("gone", new[] { "MM1001", "MM1001" }, "", "")));
            var problems = AuditTable.Check(AuditTable.Read(document, 2), computed, names);
            Assert.Equal(new[] { "a: not flagged in p2 and no reason given", "gone: in the table but no longer a guard site" }, problems);

            var explained = AuditTable.Write("# audit\n", names, new[] { computed[0] with { Reason = "not needed in p2" } });
            Assert.Empty(AuditTable.Check(AuditTable.Read(explained, 2), computed, names));
            var drifted = new List<AuditRow> { computed[0] with { Profiles = new[] { "MM1001", "MM2001" } } };
            Assert.Equal(new[] { "a: p2: the table says 'none', the analyzers add 'MM2001'" }, AuditTable.Check(AuditTable.Read(explained, 2), drifted, names));
        }

        [Fact]
        public async Task Inference_StripsTheHelperContractsItReproduces_AndKeepsTheOthers()
        {
            var c = Compile(@"
using MmLock;
public static class F
{
    public static void a(spinlock_t x) { L.spin_lock(x); asserted(x); L.spin_unlock(x); }
    public static void b(spinlock_t x) { L.spin_lock(x); silent(x); L.spin_unlock(x); }
    [Requires(""l"")] private static void asserted(spinlock_t l) { L.lockdep_assert_held(l); }
    [Requires(""l"")] private static void silent(spinlock_t l) { }
    [Requires(""l"")] public static void exported(spinlock_t l) { }
}");
            Assert.Empty(c.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error));
            var sites = GuardSites.Find(c, "/src");
            var annotated = await new StaticVerdict(c).AnalyseAsync(sites, oneAtATime: false);
            var result = await InferenceCheck.RunAsync(c, "/src", annotated);
            Assert.Equal(new[] { "Code.cs: F.asserted: Requires(\"l\")" }, result.Removed.Select(r => $"{r.File}: {r.Member}: {r.Attribute}"));
            Assert.Equal(new[] { "F.silent: Requires(/:Exclusive #0); inferred ''" }, result.Kept.Select(k => $"{k.Member}: {k.Declared}; inferred '{k.Inferred}'"));
            Assert.Empty(result.StrippedPort);
            Assert.Empty(result.Changes);
            // The removal in 'a' is now reported at the call of the helper, through its assertion.
            var moved = Assert.Single(result.Inferred["Code.cs: F.a: spin_lock(x)"].Added);
            Assert.Equal("Calling 'asserted' requires holding 'x' exclusively (via lockdep_assert_held)", moved.GetMessage(System.Globalization.CultureInfo.InvariantCulture));
        }

        private static int Count(string text, string what) => (text.Length - text.Replace(what, "").Length) / what.Length;
    }
}
