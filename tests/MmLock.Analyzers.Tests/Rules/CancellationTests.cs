using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using Xunit;

namespace MmLock.Analyzers.Tests.Rules
{
    /// <summary>
    /// A cancelled analysis ends with <see cref="OperationCanceledException"/> thrown out of MmLock's own action, as Roslyn expects:
    /// not MM9999, not AD0001, not swallowed. Speed is measured in bench/ (`cancel`), never here.
    /// </summary>
    public class CancellationTests
    {
        private const string Body = @"
using MmLock; using K;
class C {
    [Requires(""l"")] static void need(spinlock_t l) { }
    static void M(spinlock_t a, int n) {
        for (int i = 0; i < n; i++) { L.spin_lock(a); need(a); L.spin_unlock(a); }
        need(a);
    }
}";

        [Fact]
        public async Task TokenCancelledBeforeTheBodyIsAnalyzed_ThrowsOperationCanceledOutOfTheAnalyzer()
        {
            var compilation = CSharpCompilation.Create("Cancelled",
                new[] { CSharpSyntaxTree.ParseText(Kernel.Prelude, path: "/0/Kernel.cs"), CSharpSyntaxTree.ParseText(Body, path: "/0/Test0.cs") },
                Basic.Reference.Assemblies.Net80.References.All.Add(MetadataReference.CreateFromFile(typeof(MmLock.ContextAttribute).Assembly.Location)),
                new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary));
            using var cancellation = new CancellationTokenSource();
            var thrown = new List<Exception>();
            using var finished = new ManualResetEventSlim();
            var analyzer = CancelOnEntry(new MmLockAnalyzer(), cancellation, thrown, finished);
            var analyzerExceptions = new List<Exception>();
            var run = compilation.WithAnalyzers(ImmutableArray.Create<DiagnosticAnalyzer>(analyzer), new CompilationWithAnalyzersOptions(
                new AnalyzerOptions(ImmutableArray<AdditionalText>.Empty), (e, _, _) => analyzerExceptions.Add(e), concurrentAnalysis: false, logAnalyzerExecutionTime: false));

            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run.GetAnalyzerDiagnosticsAsync(cancellation.Token));

            // A cancelled run may return before the action it cancelled has ended (one CI run under load read 'thrown' too early).
            Assert.True(finished.Wait(TimeSpan.FromSeconds(30)), "MmLock's action for C.M did not end");
            Assert.Empty(analyzerExceptions);
            // MmLock's action for C.M itself threw: it neither returned (an MM9999 or a partial result) nor swallowed the cancellation.
            Assert.IsAssignableFrom<OperationCanceledException>(Assert.Single(thrown));
        }

        /// <summary>
        /// A helper's summary computed for a cancelled action stops with it, and is not cached unfinished: computed again without
        /// the cancellation it is the helper's whole contract.
        /// </summary>
        [Fact]
        public void ASummaryComputedUnderACancelledToken_Throws_AndIsNotCached()
        {
            var compilation = CSharpCompilation.Create("Summary",
                new[] { CSharpSyntaxTree.ParseText(Kernel.Prelude, path: "/0/Kernel.cs"), CSharpSyntaxTree.ParseText(@"
using MmLock; using K;
class C {
    [Requires(""l"")] static void need(spinlock_t l) { }
    static void helper(spinlock_t l) { need(l); }
    public static void caller(spinlock_t l) { helper(l); }
}", path: "/0/Test0.cs") },
                Basic.Reference.Assemblies.Net80.References.All.Add(MetadataReference.CreateFromFile(typeof(MmLock.ContextAttribute).Assembly.Location)),
                new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary));
            var model = MmLock.Analyzers.Contracts.ContractModel.Create(compilation, new AnalyzerOptions(ImmutableArray<AdditionalText>.Empty), CancellationToken.None)!;
            var helper = (IMethodSymbol)compilation.GetTypeByMetadataName("C")!.GetMembers("helper")[0];
            using (var cancelled = new CancellationTokenSource())
            {
                cancelled.Cancel();
                using var scope = MmLock.Analyzers.Contracts.Inference.Cancellation(cancelled.Token);
                Assert.ThrowsAny<OperationCanceledException>(() => model.ContractOf(helper));
            }
            var summary = model.ContractOf(helper);
            Assert.True(summary.Inferred);
            Assert.Equal("Requires(/:Exclusive #0)", summary.Signature());
        }

        /// <summary>
        /// MmLock with its operation-block actions wrapped: for C.M the token is cancelled just before MmLock's action runs, and
        /// what the action throws is recorded (and rethrown).
        /// </summary>
        private static DiagnosticAnalyzer CancelOnEntry(DiagnosticAnalyzer inner, CancellationTokenSource cancellation, List<Exception> thrown, ManualResetEventSlim finished) =>
            new MmLock.Testing.BlockActionWrapper(inner, (block, action) =>
            {
                if (block.OwningSymbol is not { Name: "M", ContainingType.Name: "C" }) { action(block); return; }
                cancellation.Cancel();
                try { action(block); }
                catch (Exception exception)
                {
                    thrown.Add(exception);
                    throw;
                }
                finally { finished.Set(); }
            });
    }
}
