using System;
using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Composition;
using System.IO;
using System.Linq;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace MmLock.Analyzers.Tests.Verification
{
    // Test-only analyzers and fixes for HarnessTests: TST001 flags every call of a method named 'Flagged' (or a name
    // listed in the additional file tst.names.txt), on the whole invocation, with the callee's declaration as additional location.

    [DiagnosticAnalyzer(LanguageNames.CSharp)]
    public class FlaggedAnalyzer : DiagnosticAnalyzer
    {
        public static readonly DiagnosticDescriptor Rule = new("TST001", "Flagged call", "Call to '{0}' is flagged", "Test", DiagnosticSeverity.Warning, true);
        public static readonly DiagnosticDescriptor Summary = new("TST002", "Summary", "{0} flagged calls", "Test", DiagnosticSeverity.Info, true, customTags: WellKnownDiagnosticTags.CompilationEnd);

        public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics => ImmutableArray.Create(Rule);

        public override void Initialize(AnalysisContext context)
        {
            context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
            context.EnableConcurrentExecution();
            context.RegisterCompilationStartAction(start =>
            {
                var names = start.Options.AdditionalFiles.Where(f => Path.GetFileName(f.Path) == "tst.names.txt")
                    .SelectMany(f => f.GetText()!.Lines.Select(l => l.ToString().Trim())).Where(s => s.Length > 0).Append("Flagged").ToImmutableHashSet();
                Register(start, names);
            });
        }

        protected virtual void Register(CompilationStartAnalysisContext start, ImmutableHashSet<string> names) =>
            start.RegisterOperationAction(c =>
            {
                if (Diagnose((IInvocationOperation)c.Operation, names) is { } d) c.ReportDiagnostic(d);
            }, OperationKind.Invocation);

        protected static Diagnostic? Diagnose(IInvocationOperation call, ImmutableHashSet<string> names)
        {
            var m = call.TargetMethod;
            if (!names.Contains(m.Name)) return null;
            if (m.Name == "Boom") throw new InvalidOperationException("boom from the test analyzer");
            // Additional locations must be in the analyzed compilation: a callee declared in a referenced project has none.
            var here = call.SemanticModel!.Compilation;
            return Diagnostic.Create(Rule, call.Syntax.GetLocation(), m.Locations.Where(l => l.IsInSource && here.ContainsSyntaxTree(l.SourceTree!)), m.Name);
        }
    }

    /// <summary>Also reports TST002 with no location at compilation end (allowed: no document owns it).</summary>
    [DiagnosticAnalyzer(LanguageNames.CSharp)]
    public sealed class FlaggedWithSummaryAnalyzer : FlaggedAnalyzer
    {
        public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics => ImmutableArray.Create(Rule, Summary);

        protected override void Register(CompilationStartAnalysisContext start, ImmutableHashSet<string> names)
        {
            base.Register(start, names);
            var count = 0;
            start.RegisterOperationAction(c => { if (Diagnose((IInvocationOperation)c.Operation, names) is not null) System.Threading.Interlocked.Increment(ref count); }, OperationKind.Invocation);
            start.RegisterCompilationEndAction(c => c.ReportDiagnostic(Diagnostic.Create(Summary, Location.None, count)));
        }
    }

    /// <summary>Wrong for the IDE: reports the in-source diagnostics only at compilation end.</summary>
    [DiagnosticAnalyzer(LanguageNames.CSharp)]
    public sealed class CompilationEndOnlyAnalyzer : FlaggedAnalyzer
    {
        protected override void Register(CompilationStartAnalysisContext start, ImmutableHashSet<string> names)
        {
            var found = new ConcurrentQueue<Diagnostic>();
            start.RegisterOperationAction(c => { if (Diagnose((IInvocationOperation)c.Operation, names) is { } d) found.Enqueue(d); }, OperationKind.Invocation);
            start.RegisterCompilationEndAction(c => { foreach (var d in found) c.ReportDiagnostic(d); });
        }
    }

    /// <summary>Wrong for the IDE: reports only when a whole document is analyzed, nothing for a span.</summary>
    [DiagnosticAnalyzer(LanguageNames.CSharp)]
    public sealed class WholeDocumentOnlyAnalyzer : FlaggedAnalyzer
    {
        protected override void Register(CompilationStartAnalysisContext start, ImmutableHashSet<string> names) =>
            start.RegisterSemanticModelAction(c =>
            {
                if (c.FilterSpan is not null) return;
                foreach (var node in c.SemanticModel.SyntaxTree.GetRoot().DescendantNodes().OfType<InvocationExpressionSyntax>())
                    if (c.SemanticModel.GetOperation(node) is IInvocationOperation call && Diagnose(call, names) is { } d) c.ReportDiagnostic(d);
            });
    }

    /// <summary>Renames the callee of a TST001 call to 'Fixed' (action 0) or 'Fixed2' (action 1); no fix for calls with arguments.</summary>
    [ExportCodeFixProvider(LanguageNames.CSharp), Shared]
    public class RenameFlaggedFix : CodeFixProvider
    {
        public override ImmutableArray<string> FixableDiagnosticIds => ImmutableArray.Create("TST001");
        public override FixAllProvider GetFixAllProvider() => WellKnownFixAllProviders.BatchFixer;

        public override async Task RegisterCodeFixesAsync(CodeFixContext context)
        {
            var root = await context.Document.GetSyntaxRootAsync(context.CancellationToken);
            if (root!.FindNode(context.Span, getInnermostNodeForTie: true) is not InvocationExpressionSyntax call || call.ArgumentList.Arguments.Count > 0) return;
            foreach (var name in new[] { "Fixed", "Fixed2" })
                context.RegisterCodeFix(CodeAction.Create($"Call '{name}'", _ => Task.FromResult(context.Document.WithSyntaxRoot(root.ReplaceNode(call, Rewrite(call, name)))), "TST." + name), context.Diagnostics);
        }

        protected virtual InvocationExpressionSyntax Rewrite(InvocationExpressionSyntax call, string name)
        {
            var id = call.Expression is MemberAccessExpressionSyntax ma ? ma.Name.Identifier : ((IdentifierNameSyntax)call.Expression).Identifier;
            return call.ReplaceToken(id, SyntaxFactory.Identifier(id.LeadingTrivia, name, id.TrailingTrivia));
        }
    }

    /// <summary>Wrong: never removes the diagnostic, only prepends a comment, so repeated application never converges.</summary>
    [ExportCodeFixProvider(LanguageNames.CSharp), Shared]
    public sealed class NotIdempotentFix : RenameFlaggedFix
    {
        protected override InvocationExpressionSyntax Rewrite(InvocationExpressionSyntax call, string name) =>
            call.WithLeadingTrivia(call.GetLeadingTrivia().Add(SyntaxFactory.Comment("/*again*/")));
    }
}
