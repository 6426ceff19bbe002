using System;
using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;

namespace MmLock.Testing
{
    /// <summary>
    /// An analyzer as it is, with each of its operation-block actions run through <c>around</c> (which must call the action it is
    /// given): the tests and the bench cancel or time one body's analysis from inside it. Everything else is forwarded.
    /// </summary>
    // A pass-through wrapper: the wrapped analyzer configures concurrency and generated code, and registers through the start context.
#pragma warning disable RS1012, RS1025, RS1026
    [DiagnosticAnalyzer(LanguageNames.CSharp)]
    internal sealed class BlockActionWrapper : DiagnosticAnalyzer
    {
        private readonly DiagnosticAnalyzer _inner;
        private readonly Action<OperationBlockAnalysisContext, Action<OperationBlockAnalysisContext>> _around;

        public BlockActionWrapper(DiagnosticAnalyzer inner, Action<OperationBlockAnalysisContext, Action<OperationBlockAnalysisContext>> around)
        {
            _inner = inner;
            _around = around;
        }

        public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics => _inner.SupportedDiagnostics;

        public override void Initialize(AnalysisContext context) => _inner.Initialize(new Context(context, _around));

        private sealed class Context : AnalysisContext
        {
            private readonly AnalysisContext _c;
            private readonly Action<OperationBlockAnalysisContext, Action<OperationBlockAnalysisContext>> _around;
            public Context(AnalysisContext c, Action<OperationBlockAnalysisContext, Action<OperationBlockAnalysisContext>> around) { _c = c; _around = around; }
            public override void EnableConcurrentExecution() => _c.EnableConcurrentExecution();
            public override void ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags analysisMode) => _c.ConfigureGeneratedCodeAnalysis(analysisMode);
            public override void RegisterCompilationStartAction(Action<CompilationStartAnalysisContext> action) =>
                _c.RegisterCompilationStartAction(start => action(new Start(start, _around)));
            public override void RegisterCompilationAction(Action<CompilationAnalysisContext> action) => _c.RegisterCompilationAction(action);
            public override void RegisterSemanticModelAction(Action<SemanticModelAnalysisContext> action) => _c.RegisterSemanticModelAction(action);
            public override void RegisterSymbolAction(Action<SymbolAnalysisContext> action, ImmutableArray<SymbolKind> symbolKinds) => _c.RegisterSymbolAction(action, symbolKinds);
            public override void RegisterCodeBlockStartAction<TLanguageKindEnum>(Action<CodeBlockStartAnalysisContext<TLanguageKindEnum>> action) => _c.RegisterCodeBlockStartAction(action);
            public override void RegisterCodeBlockAction(Action<CodeBlockAnalysisContext> action) => _c.RegisterCodeBlockAction(action);
            public override void RegisterSyntaxTreeAction(Action<SyntaxTreeAnalysisContext> action) => _c.RegisterSyntaxTreeAction(action);
            public override void RegisterSyntaxNodeAction<TLanguageKindEnum>(Action<SyntaxNodeAnalysisContext> action, ImmutableArray<TLanguageKindEnum> syntaxKinds) => _c.RegisterSyntaxNodeAction(action, syntaxKinds);
            public override void RegisterOperationAction(Action<OperationAnalysisContext> action, ImmutableArray<OperationKind> operationKinds) => _c.RegisterOperationAction(action, operationKinds);
            public override void RegisterOperationBlockStartAction(Action<OperationBlockStartAnalysisContext> action) => _c.RegisterOperationBlockStartAction(action);
            public override void RegisterOperationBlockAction(Action<OperationBlockAnalysisContext> action) =>
                _c.RegisterOperationBlockAction(block => _around(block, action));
        }

        private sealed class Start : CompilationStartAnalysisContext
        {
            private readonly CompilationStartAnalysisContext _c;
            private readonly Action<OperationBlockAnalysisContext, Action<OperationBlockAnalysisContext>> _around;
            public Start(CompilationStartAnalysisContext c, Action<OperationBlockAnalysisContext, Action<OperationBlockAnalysisContext>> around)
                : base(c.Compilation, c.Options, c.CancellationToken) { _c = c; _around = around; }
            public override void RegisterCompilationEndAction(Action<CompilationAnalysisContext> action) => _c.RegisterCompilationEndAction(action);
            public override void RegisterSemanticModelAction(Action<SemanticModelAnalysisContext> action) => _c.RegisterSemanticModelAction(action);
            public override void RegisterSymbolAction(Action<SymbolAnalysisContext> action, ImmutableArray<SymbolKind> symbolKinds) => _c.RegisterSymbolAction(action, symbolKinds);
            public override void RegisterCodeBlockStartAction<TLanguageKindEnum>(Action<CodeBlockStartAnalysisContext<TLanguageKindEnum>> action) => _c.RegisterCodeBlockStartAction(action);
            public override void RegisterCodeBlockAction(Action<CodeBlockAnalysisContext> action) => _c.RegisterCodeBlockAction(action);
            public override void RegisterSyntaxTreeAction(Action<SyntaxTreeAnalysisContext> action) => _c.RegisterSyntaxTreeAction(action);
            public override void RegisterSyntaxNodeAction<TLanguageKindEnum>(Action<SyntaxNodeAnalysisContext> action, ImmutableArray<TLanguageKindEnum> syntaxKinds) => _c.RegisterSyntaxNodeAction(action, syntaxKinds);
            public override void RegisterOperationAction(Action<OperationAnalysisContext> action, ImmutableArray<OperationKind> operationKinds) => _c.RegisterOperationAction(action, operationKinds);
            public override void RegisterOperationBlockStartAction(Action<OperationBlockStartAnalysisContext> action) => _c.RegisterOperationBlockStartAction(action);
            public override void RegisterOperationBlockAction(Action<OperationBlockAnalysisContext> action) =>
                _c.RegisterOperationBlockAction(block => _around(block, action));
        }
    }
#pragma warning restore RS1012, RS1025, RS1026
}
