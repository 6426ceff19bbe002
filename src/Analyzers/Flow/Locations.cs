using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.FlowAnalysis;

namespace MmLock.Analyzers.Flow
{
    /// <summary>Source locations for points the control-flow graph keeps no syntax for: exits, joins.</summary>
    internal sealed partial class BodyAnalysis
    {
        private List<StatementSyntax>? _jumps;

        /// <summary>The return statement of an exit edge, or the closing brace when the body just ends.</summary>
        public Location ExitLocation(BasicBlock block, ControlFlowBranch branch)
        {
            if (block.BranchValue != null && ReferenceEquals(branch, block.FallThroughSuccessor) && block.ConditionalSuccessor == null)
            {
                var returned = block.BranchValue.Syntax;
                var statement = returned.FirstAncestorOrSelf<ReturnStatementSyntax>();
                if (statement != null) return statement.GetLocation();
                return returned.GetLocation();
            }
            var anchor = AnchorEnd(block);
            var jump = NextJump(anchor, s => s is ReturnStatementSyntax { Expression: null } || s.IsKind(SyntaxKind.YieldBreakStatement));
            return jump?.GetLocation() ?? EndOfBody();
        }

        public Location ThrowLocation(BasicBlock block, bool rethrow)
        {
            if (block.BranchValue != null && !rethrow)
            {
                var thrown = block.BranchValue.Syntax;
                return (thrown.FirstAncestorOrSelf<ThrowStatementSyntax>() as SyntaxNode ?? thrown.FirstAncestorOrSelf<ThrowExpressionSyntax>() ?? thrown).GetLocation();
            }
            if (rethrow && RethrowsOf(block) is { Count: > 0 } rethrows)
            {
                var anchor = AnchorEnd(block);
                return (rethrows.FirstOrDefault(r => r.SpanStart >= anchor) ?? rethrows[0]).GetLocation();
            }
            return NextJump(AnchorEnd(block), s => s is ThrowStatementSyntax { Expression: null })?.GetLocation() ?? EndOfBody();
        }

        /// <summary>
        /// The <c>throw;</c> statements of the catch clause a block belongs to. The graph keeps no syntax for a rethrow, so the
        /// clause is found by position: the n-th try-with-catch region is the n-th try statement with catches, in source order.
        /// </summary>
        private List<ThrowStatementSyntax>? RethrowsOf(BasicBlock block)
        {
            var handler = block.EnclosingRegion;
            while (handler != null && handler.Kind is not (ControlFlowRegionKind.Catch or ControlFlowRegionKind.FilterAndHandler)) handler = handler.EnclosingRegion;
            if (handler?.EnclosingRegion is not { Kind: ControlFlowRegionKind.TryAndCatch } tryAndCatch) return null;
            var regions = new List<ControlFlowRegion>();
            CollectTryAndCatch(_graph.Root, regions);
            int tryIndex = regions.OrderBy(r => r.FirstBlockOrdinal).ToList().IndexOf(tryAndCatch);
            var tries = OwnStatements().OfType<TryStatementSyntax>().Where(t => t.Catches.Count > 0).OrderBy(t => t.SpanStart).ToList();
            int catchIndex = tryAndCatch.NestedRegions.IndexOf(handler) - 1;
            if (tryIndex < 0 || tryIndex >= tries.Count || catchIndex < 0 || catchIndex >= tries[tryIndex].Catches.Count) return null;
            var clause = tries[tryIndex].Catches[catchIndex];
            return clause.Block.DescendantNodes(n => !(n is CatchClauseSyntax || n is AnonymousFunctionExpressionSyntax || n is LocalFunctionStatementSyntax))
                .OfType<ThrowStatementSyntax>().Where(t => t.Expression == null).OrderBy(t => t.SpanStart).ToList();
        }

        private static void CollectTryAndCatch(ControlFlowRegion region, List<ControlFlowRegion> found)
        {
            if (region.Kind == ControlFlowRegionKind.TryAndCatch) found.Add(region);
            foreach (var nested in region.NestedRegions) CollectTryAndCatch(nested, found);
        }

        /// <summary>Where paths join: the first operation of the block, or the end of the body.</summary>
        public Location JoinLocation(BasicBlock block)
        {
            var first = block.Operations.FirstOrDefault()?.Syntax ?? block.BranchValue?.Syntax;
            return first?.GetLocation() ?? EndOfBody();
        }

        private int AnchorEnd(BasicBlock block)
        {
            var last = block.BranchValue?.Syntax ?? block.Operations.LastOrDefault()?.Syntax;
            if (last != null) return last.Span.End;
            var fromPredecessors = block.Predecessors.Select(p => p.Source.BranchValue?.Syntax ?? p.Source.Operations.LastOrDefault()?.Syntax)
                .Where(s => s != null).Select(s => s!.Span.End).DefaultIfEmpty(OwnerSyntax.SpanStart).Max();
            return fromPredecessors;
        }

        /// <summary>The jump statement that runs next after <paramref name="anchor"/>: no other statement starts between them.</summary>
        private StatementSyntax? NextJump(int anchor, System.Func<StatementSyntax, bool> kind)
        {
            _jumps ??= OwnStatements().ToList();
            foreach (var candidate in _jumps.Where(kind).Where(s => s.SpanStart >= anchor).OrderBy(s => s.SpanStart))
            {
                bool interrupted = _jumps.Any(s => s.SpanStart >= anchor && s.SpanStart < candidate.SpanStart && !s.Span.Contains(candidate.Span) &&
                                                   !(s.Parent is IfStatementSyntax conditional && conditional.Condition.Span.End <= anchor && conditional.Statement == s));
                if (!interrupted) return candidate;
            }
            return null;
        }

        private IEnumerable<StatementSyntax> OwnStatements() =>
            OwnerSyntax.DescendantNodes(n => n == OwnerSyntax || !(n is AnonymousFunctionExpressionSyntax || n is LocalFunctionStatementSyntax))
                .OfType<StatementSyntax>();

        private Location EndOfBody()
        {
            switch (OwnerSyntax)
            {
                case AnonymousFunctionExpressionSyntax lambda:
                    return lambda.Block?.CloseBraceToken.GetLocation() ?? lambda.ExpressionBody?.GetLocation() ?? lambda.GetLocation();
                case LocalFunctionStatementSyntax local:
                    return local.Body?.CloseBraceToken.GetLocation() ?? local.ExpressionBody?.Expression.GetLocation() ?? local.GetLocation();
                case BaseMethodDeclarationSyntax method:
                    return method.Body?.CloseBraceToken.GetLocation() ?? method.ExpressionBody?.Expression.GetLocation() ?? method.GetLocation();
                case AccessorDeclarationSyntax accessor:
                    return accessor.Body?.CloseBraceToken.GetLocation() ?? accessor.ExpressionBody?.Expression.GetLocation() ?? accessor.GetLocation();
                case ArrowExpressionClauseSyntax arrow:
                    return arrow.Expression.GetLocation();
                default:
                    var block = OwnerSyntax.ChildNodes().OfType<BlockSyntax>().LastOrDefault();
                    return block?.CloseBraceToken.GetLocation() ?? OwnerSyntax.GetLocation();
            }
        }
    }
}
