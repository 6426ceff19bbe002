using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
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
            Descriptors.MM1001, Descriptors.MM1002, Descriptors.MM1003, Descriptors.MM1003Call, Descriptors.MM1004, Descriptors.MM1005,
            Descriptors.MM1006, Descriptors.MM1006Call, Descriptors.MM1007, Descriptors.MM1007Call, Descriptors.MM1008, Descriptors.MM1009, Descriptors.MM1010, Descriptors.MM1011, Descriptors.MM1012,
            Descriptors.MM2001, Descriptors.MM2002, Descriptors.MM2003, Descriptors.MM2004, Descriptors.MM2005, Descriptors.MM2005Escape,
            Descriptors.MM2006, Descriptors.MM2007, Descriptors.MM3001,
            Descriptors.MM9001, Descriptors.MM9002, Descriptors.MM9003, Descriptors.MM9004, Descriptors.MM9999);

        public override void Initialize(AnalysisContext context)
        {
            context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
            context.EnableConcurrentExecution();
            context.RegisterCompilationStartAction(start =>
            {
                ContractModel? model = null;
                System.Exception? failure = null;
                try { model = ContractModel.Create(start.Compilation, start.Options, start.CancellationToken); }
                catch (System.Exception exception) when (exception is not System.OperationCanceledException) { failure = exception; }
                if (failure != null)
                {
                    var assembly = start.Compilation.AssemblyName ?? "the compilation";
                    start.RegisterCompilationEndAction(end => end.ReportDiagnostic(AnalysisFailure.Stopped(assembly, null, failure)));
                    return;
                }
                if (model == null) return;
                if (Inertness.IsInert(model, start.CancellationToken)) return;
                start.RegisterOperationBlockAction(block => AnalyzeBlocks(model, block));
                start.RegisterOperationAction(operation => AnalysisFailure.Run(() => Name(operation.ContainingSymbol),
                    AnalysisFailure.LocationOf(operation.ContainingSymbol, operation.Operation.Syntax.SyntaxTree),
                    operation.ReportDiagnostic, report => DelegateRules.Check(model, (IDelegateCreationOperation)operation.Operation, report)), OperationKind.DelegateCreation);
                start.RegisterSyntaxNodeAction(node => AnalysisFailure.Run(
                    () => node.ContainingSymbol is { } owner ? Name(owner) : node.Node.ToString(), node.Node.GetLocation(), node.ReportDiagnostic,
                    report => AnnotationRules.Check(model, node, report)), SyntaxKind.Attribute);
                if (model.ContractsFile is { } file)
                    start.RegisterCompilationEndAction(end =>
                    {
                        foreach (var error in file.Errors) end.ReportDiagnostic(error);
                        AnalysisFailure.Run(ContractModel.ContractsFileName, null, end.ReportDiagnostic, report => AnnotationRules.CheckContractsFile(model, report));
                    });
            });
        }

        /// <summary>Every body of one member (a constructor's initializer and body, say) analyzed under one failure guard.</summary>
        private static void AnalyzeBlocks(ContractModel model, OperationBlockAnalysisContext context)
        {
            var tree = context.OperationBlocks.FirstOrDefault()?.Syntax.SyntaxTree;
            // Most bodies have nothing to analyze: they are told apart before anything is allocated for them.
            if (!AnalysisFailure.Try((model, context), static s => BlocksToAnalyze(s.model, s.context), context.OwningSymbol, tree, out var blocks, out var stopped))
            {
                context.ReportDiagnostic(stopped!);
                return;
            }
            if (blocks == null) return;
            AnalysisFailure.Run((model, context, blocks), context.OwningSymbol, tree, context.ReportDiagnostic, static (s, report) =>
            {
                var (model, context, blocks) = s;
                using var cancellable = Inference.Cancellation(context.CancellationToken);
                foreach (var (block, operationBlock) in blocks)
                {
                    var graph = ReferenceEquals(block, operationBlock) ? context.GetControlFlowGraph(block) : block switch
                    {
                        IConstructorBodyOperation constructor => ControlFlowGraph.Create(constructor, context.CancellationToken),
                        _ => ControlFlowGraph.Create((IMethodBodyOperation)block, context.CancellationToken),
                    };
                    var rules = new ContextRules(report);
                    var owner = block.Syntax is BlockSyntax or ArrowExpressionClauseSyntax ? block.Syntax.Parent! : block.Syntax;
                    new BodyAnalysis(model, graph, context.OwningSymbol, owner, null, rules, context.CancellationToken).Run();
                    if (model.ContractOf(context.OwningSymbol) is { Inferred: true } inferred && owner is MethodDeclarationSyntax method)
                        report(Diagnostic.Create(Descriptors.MM1012, method.Identifier.GetLocation(), Name(context.OwningSymbol), Describe(inferred)));
                    ReportInferredLocalFunctions(model, graph, report);
                }
            });
        }

        /// <summary>
        /// The member's bodies that need a flow analysis, each with the operation block it came from (a constructor's initializer
        /// and body are analyzed once, as their whole), or null when none does.
        /// </summary>
        private static List<(IOperation Block, IOperation OperationBlock)>? BlocksToAnalyze(ContractModel model, OperationBlockAnalysisContext context)
        {
            List<(IOperation, IOperation)>? blocks = null;
            IOperation? previous = null;
            foreach (var operationBlock in context.OperationBlocks)
            {
                var block = operationBlock.Parent is IMethodBodyBaseOperation whole ? whole : operationBlock;
                if (block is not (IMethodBodyBaseOperation or IBlockOperation) || ReferenceEquals(block, previous)) continue;
                previous = block;
                if (blocks != null && Contains(blocks, block)) continue;
                if (NeedsFlow(model, context.OwningSymbol, block, context.CancellationToken)) (blocks ??= new List<(IOperation, IOperation)>()).Add((block, operationBlock));
            }
            return blocks;

            static bool Contains(List<(IOperation Block, IOperation)> blocks, IOperation block)
            {
                foreach (var b in blocks)
                    if (ReferenceEquals(b.Block, block)) return true;
                return false;
            }
        }

        /// <summary>MM1012 for the local functions with summaries (only those outside lambdas can have one).</summary>
        private static void ReportInferredLocalFunctions(ContractModel model, ControlFlowGraph graph, System.Action<Diagnostic> report)
        {
            foreach (var local in graph.LocalFunctions)
            {
                if (model.ContractOf(local) is { Inferred: true } inferred && local.DeclaringSyntaxReferences.FirstOrDefault()?.GetSyntax() is LocalFunctionStatementSyntax syntax)
                    report(Diagnostic.Create(Descriptors.MM1012, syntax.Identifier.GetLocation(), Name(local), Describe(inferred)));
                ReportInferredLocalFunctions(model, graph.GetLocalFunctionControlFlowGraph(local), report);
            }
        }

        /// <summary>What an inferred contract asks of callers: "hold 'a' and hold one of 'b', 'c' and not hold 'd' and not be in atomic context".</summary>
        private static string Describe(MemberContract contract)
        {
            var parts = contract.Clauses.Select(c => "hold " + (c.Alternatives.Length == 1 ? "'" + c.Alternatives[0].Text + "'"
                : "one of " + string.Join(", ", c.Alternatives.Select(a => "'" + a.Text + "'")))).Distinct().ToList();
            parts.AddRange(contract.Exclusions.Select(e => "not hold '" + e.Template.Text + "'").Distinct());
            if (contract.MightSleep) parts.Add("not be in atomic context");
            return string.Join(" and ", parts);
        }

        private static string Name(ISymbol symbol) => AnalysisFailure.MemberName(symbol);

        /// <summary>
        /// Whether a body gets a control-flow graph and a flow analysis: a [NoLockAnalysis] body never does (no rule
        /// reports inside it, lambdas and local functions included), whatever its contract says to callers.
        /// </summary>
        internal static bool NeedsFlow(ContractModel model, ISymbol owner, IOperation block, System.Threading.CancellationToken cancellation = default) =>
            block is IMethodBodyBaseOperation or IBlockOperation
            && !model.ContractOf(owner).NoLockAnalysis
            && Relevance.Matters(model, owner, block, cancellation);
    }
}
