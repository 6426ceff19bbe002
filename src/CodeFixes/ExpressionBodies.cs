using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Formatting;

namespace MmLock.CodeFixes
{
    /// <summary>An expression body turned into a block body, so that statement edits (wraps, releases) can apply to it.</summary>
    internal sealed class BlockBody
    {
        public BlockBody(SyntaxNode owner, SyntaxNode converted, SyntaxAnnotation statement)
        {
            Owner = owner;
            Converted = converted;
            StatementMark = statement;
        }

        /// <summary>The declaration, accessor, local function or lambda whose expression body was converted (in the original tree).</summary>
        public SyntaxNode Owner { get; }
        /// <summary><see cref="Owner"/> with a block body (a tree of its own).</summary>
        public SyntaxNode Converted { get; }
        public SyntaxAnnotation StatementMark { get; }

        /// <summary>The body's one statement in <paramref name="tree"/> (<see cref="Converted"/> or a node that contains it).</summary>
        public StatementSyntax StatementIn(SyntaxNode tree) => (StatementSyntax)tree.GetAnnotatedNodes(StatementMark).First();
    }

    /// <summary>
    /// The statement a statement edit applies to: the one that contains a node, or, in an expression body, the statement
    /// that body becomes in a block body.
    /// </summary>
    internal sealed class StatementTarget
    {
        private StatementTarget(StatementSyntax statement, SyntaxNode original, BlockBody? block, SyntaxNode scope)
        {
            Statement = statement;
            Original = original;
            Block = block;
            Scope = scope;
        }

        /// <summary>In the document's tree, or in <see cref="BlockBody.Converted"/>.</summary>
        public StatementSyntax Statement { get; }
        /// <summary>The statement or the expression body in the document's tree: for positions and the semantic model.</summary>
        public SyntaxNode Original { get; }
        public BlockBody? Block { get; }
        /// <summary>The node the edit replaces: the probe's member, or the owner of the expression body when that contains the member.</summary>
        public SyntaxNode Scope { get; }

        public static StatementTarget? Of(FixDocument fix, SyntaxNode node, FlowProbe probe, CancellationToken cancellation)
        {
            if (FixDocument.StatementOf(node) is { } statement) return new StatementTarget(statement, statement, null, probe.Member);
            if (ExpressionBodies.BodyOf(node) is not { } body || ExpressionBodies.ToBlock(body, fix.Model, cancellation) is not { } block) return null;
            var scope = probe.Member.Ancestors().Contains(block.Owner) ? block.Owner : probe.Member;
            return new StatementTarget(block.StatementIn(block.Converted), body, block, scope);
        }

        /// <summary><paramref name="scope"/> with the statement's parent replaced by <paramref name="parent"/> (and the body converted), or null.</summary>
        public SyntaxNode? Edit(SyntaxNode scope, SyntaxNode? parent)
        {
            if (parent == null || Statement.Parent == null) return null;
            if (Block == null) return Statement.Parent == scope ? parent : scope.ReplaceNode(Statement.Parent, parent);
            var converted = Block.Converted.ReplaceNode(Statement.Parent, parent);
            return scope == Block.Owner ? converted : scope.ReplaceNode(Block.Owner, converted);
        }
    }

    internal static class ExpressionBodies
    {
        /// <summary>The expression body that contains <paramref name="node"/> with no statement in between, or null.</summary>
        public static ExpressionSyntax? BodyOf(SyntaxNode node)
        {
            foreach (var ancestor in node.Ancestors())
            {
                switch (ancestor)
                {
                    case ArrowExpressionClauseSyntax arrow:
                        return arrow.Expression;
                    case AnonymousFunctionExpressionSyntax lambda:
                        return lambda.ExpressionBody;
                    case StatementSyntax:
                    case MemberDeclarationSyntax:
                        return null;
                }
            }
            return null;
        }

        /// <summary>
        /// The owner of <paramref name="body"/> with a block body: <c>{ expression; }</c> when the owner returns nothing,
        /// <c>{ return expression; }</c> otherwise, <c>{ throw ..; }</c> for a throw expression; a property or indexer gets a
        /// <c>get</c> accessor. Null for owners this does not handle (operators' bodies are handled, field initializers are not bodies).
        /// </summary>
        public static BlockBody? ToBlock(ExpressionSyntax body, SemanticModel model, CancellationToken cancellation)
        {
            var owner = body.Parent is ArrowExpressionClauseSyntax arrow ? arrow.Parent : body.Parent;
            if (owner == null) return null;
            var mark = new SyntaxAnnotation();
            bool returnsValue = ReturnsValue(owner, model, cancellation);
            StatementSyntax statement = body is ThrowExpressionSyntax thrown
                ? SyntaxFactory.ThrowStatement(thrown.Expression.WithoutTrivia())
                : returnsValue
                    ? SyntaxFactory.ReturnStatement(body.WithoutTrivia())
                    : SyntaxFactory.ExpressionStatement(body.WithoutTrivia());
            // A comment after the ';' that ends the declaration stays on the statement; the line ending goes after the '}'.
            var semicolon = SemicolonOf(owner).TrailingTrivia;
            var comments = semicolon.Where(t => !t.IsKind(SyntaxKind.EndOfLineTrivia)).ToList();
            var lineEnd = semicolon.Where(t => t.IsKind(SyntaxKind.EndOfLineTrivia)).ToList();
            statement = statement.WithTrailingTrivia(comments.Any(t => !t.IsKind(SyntaxKind.WhitespaceTrivia))
                    ? comments.Append(SyntaxFactory.ElasticCarriageReturnLineFeed)
                    : new[] { SyntaxFactory.ElasticCarriageReturnLineFeed })
                .WithAdditionalAnnotations(mark);
            var block = SyntaxFactory.Block(statement).WithAdditionalAnnotations(Formatter.Annotation);
            SyntaxNode? converted = owner switch
            {
                AnonymousFunctionExpressionSyntax lambda => lambda.WithExpressionBody(null).WithBlock(block.WithTrailingTrivia(body.GetTrailingTrivia())),
                BaseMethodDeclarationSyntax method => WithBlock(method, block.WithTrailingTrivia(lineEnd)),
                LocalFunctionStatementSyntax function => WithBlock(function, block.WithTrailingTrivia(lineEnd)),
                AccessorDeclarationSyntax accessor => accessor.WithExpressionBody(null).WithSemicolonToken(default).WithBody(block.WithTrailingTrivia(lineEnd)),
                BasePropertyDeclarationSyntax property => WithGetter(property, block, lineEnd),
                _ => null,
            };
            return converted == null ? null : new BlockBody(owner, converted, mark);
        }

        private static SyntaxToken SemicolonOf(SyntaxNode owner) => owner switch
        {
            BaseMethodDeclarationSyntax method => method.SemicolonToken,
            LocalFunctionStatementSyntax function => function.SemicolonToken,
            AccessorDeclarationSyntax accessor => accessor.SemicolonToken,
            PropertyDeclarationSyntax property => property.SemicolonToken,
            IndexerDeclarationSyntax indexer => indexer.SemicolonToken,
            _ => default,
        };

        private static bool ReturnsValue(SyntaxNode owner, SemanticModel model, CancellationToken cancellation)
        {
            var symbol = owner switch
            {
                AnonymousFunctionExpressionSyntax lambda => model.GetSymbolInfo(lambda, cancellation).Symbol,
                BasePropertyDeclarationSyntax property => (model.GetDeclaredSymbol(property, cancellation) as IPropertySymbol)?.GetMethod,
                _ => model.GetDeclaredSymbol(owner, cancellation),
            };
            if (symbol is not IMethodSymbol method) return false;
            if (method.ReturnsVoid) return false;
            // An async method returning a plain Task (or ValueTask) has no value to return.
            return !(method.IsAsync && method.ReturnType is INamedTypeSymbol { IsGenericType: false });
        }

        private static SyntaxNode WithBlock(BaseMethodDeclarationSyntax method, BlockSyntax block) =>
            method.WithParameterList(method.ParameterList.WithTrailingTrivia(SyntaxFactory.ElasticCarriageReturnLineFeed))
                .WithExpressionBody(null).WithSemicolonToken(default).WithBody(block);

        private static SyntaxNode WithBlock(LocalFunctionStatementSyntax function, BlockSyntax block) =>
            function.WithParameterList(function.ParameterList.WithTrailingTrivia(SyntaxFactory.ElasticCarriageReturnLineFeed))
                .WithExpressionBody(null).WithSemicolonToken(default).WithBody(block);

        private static SyntaxNode? WithGetter(BasePropertyDeclarationSyntax property, BlockSyntax block, System.Collections.Generic.List<SyntaxTrivia> lineEnd)
        {
            var getter = SyntaxFactory.AccessorDeclaration(SyntaxKind.GetAccessorDeclaration, block);
            var accessors = SyntaxFactory.AccessorList(SyntaxFactory.SingletonList(getter));
            switch (property)
            {
                case PropertyDeclarationSyntax p when p.ExpressionBody != null:
                    return p.WithIdentifier(p.Identifier.WithTrailingTrivia(SyntaxFactory.ElasticCarriageReturnLineFeed)).WithExpressionBody(null)
                        .WithSemicolonToken(default).WithAccessorList(accessors.WithTrailingTrivia(lineEnd));
                case IndexerDeclarationSyntax i when i.ExpressionBody != null:
                    return i.WithParameterList(i.ParameterList.WithTrailingTrivia(SyntaxFactory.ElasticCarriageReturnLineFeed)).WithExpressionBody(null)
                        .WithSemicolonToken(default).WithAccessorList(accessors.WithTrailingTrivia(lineEnd));
                default:
                    return null;
            }
        }
    }
}
