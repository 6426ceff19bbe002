using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;

namespace MmLock.Bench
{
    /// <summary>
    /// What any flow analyzer pays before doing its own work, to read MmLock's time against:
    /// the operation trees of every body (an empty operation-block action), and also their control-flow graphs.
    /// </summary>
    [DiagnosticAnalyzer(LanguageNames.CSharp)]
    public sealed class OperationTreesOnly : DiagnosticAnalyzer
    {
        private static readonly DiagnosticDescriptor Never = new("BENCH0", "never", "never", "bench", DiagnosticSeverity.Hidden, true);
        public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics => ImmutableArray.Create(Never);
        public override void Initialize(AnalysisContext context)
        {
            context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
            context.RegisterOperationBlockAction(_ => { });
        }
    }

    [DiagnosticAnalyzer(LanguageNames.CSharp)]
    public sealed class ControlFlowGraphsOnly : DiagnosticAnalyzer
    {
        private static readonly DiagnosticDescriptor Never = new("BENCH1", "never", "never", "bench", DiagnosticSeverity.Hidden, true);
        public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics => ImmutableArray.Create(Never);
        public override void Initialize(AnalysisContext context)
        {
            context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
            context.RegisterOperationBlockAction(block =>
            {
                foreach (var operation in block.OperationBlocks)
                    if (operation.Kind is OperationKind.MethodBody or OperationKind.ConstructorBody or OperationKind.Block)
                        block.GetControlFlowGraph(operation);
            });
        }
    }
}
