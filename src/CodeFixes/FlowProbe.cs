using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.FlowAnalysis;
using MmLock.Analyzers.Flow;
using MmLock.Analyzers.Rules;

namespace MmLock.CodeFixes
{
    /// <summary>
    /// Runs the analyzer's own flow and rules over the member that contains a node: the state before each call, the state
    /// at each use of a guarded reference, and the diagnostics the rules report there. Fixes read states from it instead of
    /// re-deriving them, and check their result with it.
    /// </summary>
    internal sealed class FlowProbe : IFlowObserver
    {
        private readonly ContextRules _rules;
        private readonly Dictionary<SyntaxNode, (CallEvent Call, FlowState State, BodyAnalysis Body)> _calls = new Dictionary<SyntaxNode, (CallEvent, FlowState, BodyAnalysis)>();
        private readonly Dictionary<SyntaxNode, (GuardedReference Reference, FlowState State, BodyAnalysis Body)> _uses = new Dictionary<SyntaxNode, (GuardedReference, FlowState, BodyAnalysis)>();

        private FlowProbe(SyntaxNode member)
        {
            Member = member;
            _rules = new ContextRules(Diagnostics.Add);
        }

        /// <summary>The analyzed declaration (method, constructor, accessor, or a property's expression body).</summary>
        public SyntaxNode Member { get; }
        public List<Diagnostic> Diagnostics { get; } = new List<Diagnostic>();

        /// <summary>The declaration whose body the analyzer analyzes as one operation block (with its lambdas and local functions).</summary>
        public static SyntaxNode? MemberOf(SyntaxNode node) => node.AncestorsAndSelf().FirstOrDefault(n =>
            n is BaseMethodDeclarationSyntax || n is AccessorDeclarationSyntax || n is ArrowExpressionClauseSyntax { Parent: PropertyDeclarationSyntax or IndexerDeclarationSyntax });

        /// <summary>The flow over the member that contains <paramref name="node"/>; null where the analyzer has no body to analyze.</summary>
        public static FlowProbe? Run(FixDocument fix, SyntaxNode node, CancellationToken cancellation)
        {
            var member = MemberOf(node);
            if (member == null) return null;
            var owner = member is ArrowExpressionClauseSyntax arrow
                ? (fix.Model.GetDeclaredSymbol(arrow.Parent!, cancellation) as IPropertySymbol)?.GetMethod
                : fix.Model.GetDeclaredSymbol(member, cancellation);
            if (owner == null) return null;
            try
            {
                var graph = ControlFlowGraph.Create(member, fix.Model, cancellation);
                if (graph == null) return null;
                var probe = new FlowProbe(member);
                new BodyAnalysis(fix.Contracts, graph, owner, member is ArrowExpressionClauseSyntax ? member.Parent! : member, null, probe, cancellation).Run();
                return probe;
            }
            catch (AnalysisStoppedException)
            {
                // The analyzer reports this body's MM9999; a fix computed from a partial flow would be unsound.
                return null;
            }
        }

        /// <summary>The call whose syntax is <paramref name="syntax"/>, with the state before it and the body it is in.</summary>
        public (CallEvent Call, FlowState State, BodyAnalysis Body)? CallAt(SyntaxNode syntax) =>
            _calls.TryGetValue(syntax, out var found) ? found : null;

        /// <summary>The use of a guarded reference at <paramref name="syntax"/>, with the state there.</summary>
        public (GuardedReference Reference, FlowState State, BodyAnalysis Body)? UseAt(SyntaxNode syntax) =>
            _uses.TryGetValue(syntax, out var found) ? found : null;

        public void OnCall(CallEvent call, FlowState before, BodyAnalysis body)
        {
            _calls[call.Site.Operation.Syntax] = (call, before, body);
            _rules.OnCall(call, before, body);
        }

        public void OnAccess(IOperation access, ISymbol member, IOperation? instance, bool write, FlowState state, BodyAnalysis body) =>
            _rules.OnAccess(access, member, instance, write, state, body);

        public void OnSuspend(IOperation operation, string what, FlowState state, BodyAnalysis body) => _rules.OnSuspend(operation, what, state, body);

        public void OnReferenceUse(IOperation use, string name, GuardedReference reference, FlowState state, BodyAnalysis body)
        {
            _uses[use.Syntax] = (reference, state, body);
            _rules.OnReferenceUse(use, name, reference, state, body);
        }

        public void OnReferenceEscape(Location at, string? name, GuardedReference reference, string how, FlowState state, BodyAnalysis body) =>
            _rules.OnReferenceEscape(at, name, reference, how, state, body);

        public void OnGuardDisposedAgain(IOperation dispose, IReadOnlyList<Held> disposed, BodyAnalysis body) => _rules.OnGuardDisposedAgain(dispose, disposed, body);

        public void OnExit(Location location, FlowState state, BodyAnalysis body, IOperation? returned) => _rules.OnExit(location, state, body, returned);

        public void OnJoin(Location join, IReadOnlyList<FlowState> incoming, FlowState joined, BodyAnalysis body) => _rules.OnJoin(join, incoming, joined, body);
    }
}
