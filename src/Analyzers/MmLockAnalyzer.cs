using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.FlowAnalysis;
using Microsoft.CodeAnalysis.Operations;
using MmLock.Analyzers.Contracts;
using MmLock.Analyzers.Flow;
using MmLock.Analyzers.Rules;

namespace MmLock.Analyzers
{
    /// <summary>
    /// The entry point: one contract model per compilation, then one flow analysis per member body as the
    /// IDE or the compiler asks for it, and the annotation checks per attribute.
    /// </summary>
    [DiagnosticAnalyzer(LanguageNames.CSharp)]
    public sealed class MmLockAnalyzer : DiagnosticAnalyzer
    {
        public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(
            Descriptors.MM1001, Descriptors.MM1002, Descriptors.MM1003, Descriptors.MM1004, Descriptors.MM1005,
            Descriptors.MM1006, Descriptors.MM1007, Descriptors.MM1008, Descriptors.MM1009, Descriptors.MM1010,
            Descriptors.MM2001, Descriptors.MM2002, Descriptors.MM2003, Descriptors.MM2004, Descriptors.MM2005,
            Descriptors.MM2006, Descriptors.MM2007, Descriptors.MM3001,
            Descriptors.MM9001, Descriptors.MM9002, Descriptors.MM9003, Descriptors.MM9004);

        public override void Initialize(AnalysisContext context)
        {
            context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
            context.EnableConcurrentExecution();
            context.RegisterCompilationStartAction(start =>
            {
                var model = ContractModel.Create(start.Compilation, start.Options, start.CancellationToken);
                if (model == null) return;
                start.RegisterOperationBlockAction(block => AnalyzeBlock(model, block));
                start.RegisterSyntaxNodeAction(node => Guarded(() => AnnotationRules.Check(model, node)), Microsoft.CodeAnalysis.CSharp.SyntaxKind.Attribute);
                if (model.ContractsFile is { } file)
                    start.RegisterCompilationEndAction(end =>
                    {
                        foreach (var error in file.Errors) end.ReportDiagnostic(error);
                        Guarded(() => AnnotationRules.CheckContractsFile(model, end.ReportDiagnostic));
                    });
            });
        }

        private static void AnalyzeBlock(ContractModel model, OperationBlockAnalysisContext context)
        {
            foreach (var block in context.OperationBlocks)
            {
                if (!NeedsFlow(model, context.OwningSymbol, block)) continue;
                var graph = context.GetControlFlowGraph(block);
                var rules = new ContextRules(context.ReportDiagnostic);
                var owner = block.Syntax is Microsoft.CodeAnalysis.CSharp.Syntax.BlockSyntax or Microsoft.CodeAnalysis.CSharp.Syntax.ArrowExpressionClauseSyntax ? block.Syntax.Parent! : block.Syntax;
                Guarded(() => new BodyAnalysis(model, graph, context.OwningSymbol, owner, null, rules, context.CancellationToken).Run());
            }
        }

        /// <summary>
        /// Whether a body gets a control-flow graph and a flow analysis: a [NoLockAnalysis] body never does (no rule
        /// reports inside it, lambdas and local functions included), whatever its contract says to callers.
        /// </summary>
        internal static bool NeedsFlow(ContractModel model, ISymbol owner, IOperation block) =>
            block is IMethodBodyOperation or IConstructorBodyOperation or IBlockOperation
            && !model.ContractOf(owner).NoLockAnalysis
            && Relevance.Matters(model, owner, block);

        /// <summary>An analyzer must never fail a build: in release builds an unexpected exception drops the member's results.</summary>
        private static void Guarded(System.Action action)
        {
#if DEBUG
            action();
#else
            try { action(); }
            catch (System.Exception exception) when (exception is not System.OperationCanceledException) { }
#endif
        }
    }
}
