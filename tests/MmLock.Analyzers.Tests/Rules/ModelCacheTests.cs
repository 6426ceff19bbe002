using System.Collections.Immutable;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;
using Microsoft.CodeAnalysis.Text;
using MmLock.Analyzers.Contracts;
using Xunit;
using static MmLock.Analyzers.Tests.Verification.Verify;
using static MmLock.Analyzers.Tests.Rules.Kernel;

namespace MmLock.Analyzers.Tests.Rules
{
    /// <summary>
    /// The caches that keep a new compilation (every keystroke in the IDE) cheap: what they share between
    /// compilations, and that a change to what they were built from gives new results.
    /// </summary>
    public class ModelCacheTests
    {
        private const string Legacy = @"
using MmLock;
[assembly: PageTableSpace(""kernel"")]
[assembly: TableFreeing(""kernel"", ""hot-remove"", Holds = new[] { ""K.G.mem_hotplug_lock"" }, ExcludedBy = new[] { ""K.G.mem_hotplug_lock"" })]
namespace Legacy { public static class Walkers { public static void dump_tables(ulong start) { } } }";

        private const string WalkerLine = "M:Legacy.Walkers.dump_tables(System.UInt64) [PageTableWalker(\"kernel\")]\n";

        private static CSharpCompilation Compile(params string[] sources) => CompileAssembly("Cache", sources);

        // MMLOCK_ANNOTATIONS: the attributes are conditional, and a library read by reference exports its contracts.
        private static CSharpCompilation CompileAssembly(string name, params string[] sources) => CSharpCompilation.Create(name,
            sources.Select((s, i) => CSharpSyntaxTree.ParseText(s, new CSharpParseOptions(preprocessorSymbols: new[] { "MMLOCK_ANNOTATIONS" }), path: $"/0/Test{i}.cs")),
            Basic.Reference.Assemblies.Net80.References.All.Cast<MetadataReference>()
                .Append(MetadataReference.CreateFromFile(typeof(MmLock.ContextAttribute).Assembly.Location)),
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary));

        private sealed class Text : AdditionalText
        {
            private readonly SourceText _text;
            public Text(SourceText text) { _text = text; }
            public override string Path => "/0/mmlock.contracts.txt";
            public override SourceText GetText(CancellationToken cancellationToken = default) => _text;
        }

        private static ContractModel Model(Compilation compilation, SourceText? contracts = null) => ContractModel.Create(compilation,
            new AnalyzerOptions(contracts == null ? ImmutableArray<AdditionalText>.Empty : ImmutableArray.Create<AdditionalText>(new Text(contracts))),
            CancellationToken.None)!;

        private static IMethodSymbol DumpTables(Compilation compilation) =>
            (IMethodSymbol)compilation.GetTypeByMetadataName("Legacy.Walkers")!.GetMembers("dump_tables").Single();

        // ---- mmlock.contracts.txt ----------------------------------------------------------------------

        [Fact]
        public void ContractsFile_TwoCompilations_ShareTheParse_AndResolveEachTheirOwn()
        {
            var text = SourceText.From(WalkerLine);
            var first = Compile(Prelude, Legacy);
            var second = first.AddSyntaxTrees(CSharpSyntaxTree.ParseText("class Edited { }", path: "/0/Edited.cs"));

            Assert.Same(ContractsFile.ParsedText.Of(text, "/0/mmlock.contracts.txt", CancellationToken.None),
                ContractsFile.ParsedText.Of(text, "/0/mmlock.contracts.txt", CancellationToken.None));
            var firstModel = Model(first, text);
            var secondModel = Model(second, text);
            var firstWalker = firstModel.ContractOf(DumpTables(first));
            var secondWalker = secondModel.ContractOf(DumpTables(second));
            Assert.Equal(ClauseKind.Walker, Assert.Single(firstWalker.Clauses).Kind);
            Assert.Equal(ClauseKind.Walker, Assert.Single(secondWalker.Clauses).Kind);
            // The members are those of each compilation, bound in it.
            Assert.NotSame(firstModel.ContractsFile!.Members.Keys.Single(), secondModel.ContractsFile!.Members.Keys.Single());
            Assert.Same(DumpTables(second), secondModel.ContractsFile.Members.Keys.Single());
        }

        [Fact]
        public void ContractsFile_ChangedText_GivesNewContracts()
        {
            var compilation = Compile(Prelude, Legacy);
            var text = SourceText.From(WalkerLine);
            var changed = text.WithChanges(new TextChange(new TextSpan(WalkerLine.IndexOf('['), WalkerLine.Length - WalkerLine.IndexOf('[')), "[MightSleep]\n"));

            var before = Model(compilation, text).ContractOf(DumpTables(compilation));
            var after = Model(compilation, changed).ContractOf(DumpTables(compilation));
            Assert.Single(before.Clauses);
            Assert.False(before.MightSleep);
            Assert.Empty(after.Clauses);
            Assert.True(after.MightSleep);
        }

        [Fact]
        public void ContractsFile_ParseErrorsAndUnresolvedIds_ReportedForEachCompilation()
        {
            var text = SourceText.From("M:Legacy.Walkers.nosuch [MightSleep]\nnot a line\n");
            var first = Model(Compile(Prelude, Legacy), text).ContractsFile!.Errors.Select(e => e.GetMessage()).ToList();
            var second = Model(Compile(Prelude, Legacy), text).ContractsFile!.Errors.Select(e => e.GetMessage()).ToList();
            Assert.Equal(2, first.Count);
            Assert.Equal(first, second);
            Assert.Contains("no such member", first[0]);
            Assert.Contains("expected a documentation-comment ID", first[1]);
        }

        // ---- lock order ---------------------------------------------------------------------------------

        private const string OrderedLocks = @"
using MmLock; using K;
namespace T {
    public static class Locks {
        [AcquiredBefore(""T.Locks.b"")] public static readonly mutex a = new mutex();
        public static readonly mutex b = new mutex();
    }
}";

        private static MetadataReference Library(string source)
        {
            var compilation = CompileAssembly("Locks", Prelude, source);
            using var image = new MemoryStream();
            var result = compilation.Emit(image);
            Assert.True(result.Success, string.Join("\n", result.Diagnostics));
            return MetadataReference.CreateFromImage(image.ToArray());
        }

        [Fact]
        public void LockOrder_ReferencedAssembly_MembersFoundOncePerAssemblySymbol_AcrossEdits()
        {
            var library = Library(OrderedLocks);
            var first = Compile("class A { }").AddReferences(library);
            var second = first.AddSyntaxTrees(CSharpSyntaxTree.ParseText("class B { }", path: "/0/B.cs")); // an edit in the IDE
            var firstAssembly = (IAssemblySymbol)first.GetAssemblyOrModuleSymbol(library)!;
            var secondAssembly = (IAssemblySymbol)second.GetAssemblyOrModuleSymbol(library)!;
            Assert.Same(firstAssembly, secondAssembly); // a derived compilation keeps its references' symbols, so the cache can hit

            var owners = LockOrder.OwnersOf(firstAssembly);
            Assert.Equal("T.Locks.a", Assert.Single(owners).ToDisplayString());
            Assert.True(owners == LockOrder.OwnersOf(secondAssembly));
            Assert.False(Model(first).LockOrder.IsEmpty);
            Assert.False(Model(second).LockOrder.IsEmpty);
        }

        [Fact]
        public void LockOrder_UnchangedTree_ScannedOnce_ChangedTree_GivesNewEdges()
        {
            var unordered = OrderedLocks.Replace(@"[AcquiredBefore(""T.Locks.b"")] ", "");
            var compilation = Compile(Prelude, unordered);
            var prelude = compilation.SyntaxTrees.First();
            Assert.True(Model(compilation).LockOrder.IsEmpty);

            var edited = compilation.ReplaceSyntaxTree(compilation.SyntaxTrees.Last(), CSharpSyntaxTree.ParseText(OrderedLocks, path: "/0/Test1.cs"));
            Assert.Same(LockOrder.CandidatesOf(prelude), LockOrder.CandidatesOf(edited.SyntaxTrees.Single(t => t.FilePath == prelude.FilePath)));
            Assert.False(Model(edited).LockOrder.IsEmpty);
        }

        [Fact]
        public Task LockOrder_AttributeThroughAnAlias_StillOrders() => Verify(@"
using MmLock; using K;
using Before = MmLock.AcquiredBeforeAttribute;
namespace T {
    public static class Locks {
        [Before(""T.Locks.b"")] public static readonly mutex a = new mutex();
        public static readonly mutex b = new mutex();
    }
    class C {
        static void Bad() {
            {|#0:L.mutex_lock(Locks.b)|};
            {|#1:L.mutex_lock(Locks.a)|};
            L.mutex_unlock(Locks.a);
            L.mutex_unlock(Locks.b);
        }
    }
}", Diag("MM1009").WithLocation(1).WithAdditionalLocation(0).WithMessage("Acquiring 'Locks.a' while holding 'Locks.b' violates the declared lock order ('Locks.a' comes before 'Locks.b')"));

        [Fact]
        public Task LockOrder_FromReferencedProject() => new Verification.AnalyzerTest<MmLockAnalyzer>
        {
            Sources =
            {
                ("/0/Kernel.cs", Prelude),
                ("/0/Locks.cs", OrderedLocks),
                ("/1/User.cs", @"
using K; using T;
class C {
    static void Bad() {
        {|#0:L.mutex_lock(Locks.b)|};
        {|#1:L.mutex_lock(Locks.a)|};
        L.mutex_unlock(Locks.a);
        L.mutex_unlock(Locks.b);
    }
}"),
            },
            ExpectedDiagnostics = { Diag("MM1009").WithLocation(1).WithAdditionalLocation(0).WithMessage("Acquiring 'Locks.a' while holding 'Locks.b' violates the declared lock order ('Locks.a' comes before 'Locks.b')") },
        }.RunAsync();

        // ---- member contracts ----------------------------------------------------------------------------

        [Fact]
        public void Contract_BuiltOncePerSymbol_ForEveryFormOfIt()
        {
            var compilation = Compile(Prelude, @"
using MmLock; using K;
static class E {
    [Requires(""l"")] public static void need<T>(this spinlock_t l, T value) { }
    static void M(spinlock_t l) { l.need(1); }
}");
            var model = Model(compilation);
            var need = (IMethodSymbol)compilation.GetTypeByMetadataName("E")!.GetMembers("need").Single();
            var tree = compilation.SyntaxTrees.Last();
            var call = tree.GetRoot().DescendantNodes().OfType<InvocationExpressionSyntax>().Single();
            var reduced = (IMethodSymbol)compilation.GetSemanticModel(tree).GetSymbolInfo(call).Symbol!;
            Assert.NotNull(reduced.ReducedFrom);

            Assert.Same(model.Built(need), model.Built(reduced));
            Assert.Same(model.ContractOf(need), model.ContractOf(reduced));
            Assert.Single(model.ContractOf(need).Clauses);
        }

        // ---- [NoLockAnalysis] ------------------------------------------------------------------------------

        [Fact]
        public void NoLockAnalysisBody_GetsNoGraph_WhateverItCalls()
        {
            var compilation = Compile(Prelude, @"
using MmLock; using K;
static class P {
    [Acquires(""l""), NoLockAnalysis(""primitive"")] public static void wrapped_lock(spinlock_t l) { L.spin_lock(l); L.spin_lock(l); }
    [Acquires(""l"")] public static void checked_lock(spinlock_t l) { L.spin_lock(l); }
}");
            var model = Model(compilation);
            var tree = compilation.SyntaxTrees.Last();
            var semantic = compilation.GetSemanticModel(tree);
            bool Needs(string name)
            {
                var declaration = tree.GetRoot().DescendantNodes().OfType<MethodDeclarationSyntax>().Single(m => m.Identifier.ValueText == name);
                var body = (IMethodBodyOperation)semantic.GetOperation(declaration)!;
                return MmLockAnalyzer.NeedsFlow(model, semantic.GetDeclaredSymbol(declaration)!, body);
            }
            Assert.False(Needs("wrapped_lock"));
            Assert.True(Needs("checked_lock"));
        }
    }
}
