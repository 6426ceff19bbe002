using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Formatting;

namespace MmLock.CodeFixes
{
    /// <summary>
    /// The wrap edits: the statement with the flagged call, and the later statements of its block that use what it declared,
    /// go inside nested <c>acquire; try { .. } finally { release; }</c> pairs or stacked <c>using</c> scoped guards.
    /// </summary>
    internal static class WrapInGuard
    {
        /// <summary>The statement and the later statements of its block that use a local it (or they) declare.</summary>
        public static List<StatementSyntax> RangeOf(StatementSyntax statement)
        {
            var range = new List<StatementSyntax> { statement };
            if (FixDocument.ListOf(statement) is not { } list) return range;
            int start = list.IndexOf(statement), end = start;
            var names = FixDocument.DeclaredNames(range);
            for (int k = start + 1; k < list.Count && names.Count > 0; k++)
            {
                if (!list[k].DescendantNodesAndSelf().OfType<IdentifierNameSyntax>().Any(n => names.Contains(n.Identifier.ValueText))) continue;
                end = k;
                names = FixDocument.DeclaredNames(list.Skip(start).Take(end - start + 1));
            }
            return list.Skip(start).Take(end - start + 1).ToList();
        }

        /// <summary>"guard", "guard2", ..: <paramref name="count"/> names not declared in <paramref name="declared"/> nor visible at the position; null when there are not enough.</summary>
        public static List<string>? GuardNames(FixDocument fix, int position, ISet<string> declared, int count)
        {
            var names = new List<string>();
            for (int i = 1; i <= 9 && names.Count < count; i++)
            {
                var name = i == 1 ? "guard" : "guard" + i;
                if (!declared.Contains(name) && fix.Model.LookupSymbols(position, name: name).IsEmpty) names.Add(name);
            }
            return names.Count == count ? names : null;
        }

        /// <summary>The type (as written at the position) and a fresh local name for a yielded value computed before its <c>yield return</c>.</summary>
        public static (string Type, string Name)? Hoisting(FixDocument fix, ExpressionSyntax yielded, int position, ISet<string> declared, System.Threading.CancellationToken cancellation)
        {
            var type = fix.Model.GetTypeInfo(yielded, cancellation).ConvertedType;
            if (type == null || type.TypeKind == TypeKind.Error || !type.CanBeReferencedByName && type.SpecialType == SpecialType.None && type is not IArrayTypeSymbol) return null;
            for (int i = 1; i <= 9; i++)
            {
                var name = i == 1 ? "value" : "value" + i;
                if (!declared.Contains(name) && fix.Model.LookupSymbols(position, name: name).IsEmpty)
                    return (type.ToMinimalDisplayString(fix.Model, position), name);
            }
            return null;
        }

        /// <summary>
        /// <c>T name;</c>, then <paramref name="wrap"/>'s guards around <c>name = yielded;</c> (which keeps the statement's
        /// trailing comment), then <c>yield return name;</c>.
        /// </summary>
        public static List<StatementSyntax> Hoist(string type, string name, ExpressionSyntax yielded, StatementSyntax statement,
            System.Func<List<StatementSyntax>, List<StatementSyntax>> wrap)
        {
            var assign = SyntaxFactory.ExpressionStatement(SyntaxFactory.AssignmentExpression(SyntaxKind.SimpleAssignmentExpression,
                SyntaxFactory.IdentifierName(name), yielded.WithoutTrivia())).WithTrailingTrivia(statement.GetTrailingTrivia()).WithAdditionalAnnotations(Formatter.Annotation);
            var result = new List<StatementSyntax> { FixDocument.Line(type + " " + name + ";") };
            result.AddRange(wrap(new List<StatementSyntax> { assign }));
            result.Add(FixDocument.Statement("yield return " + name + ";"));
            return result;
        }

        /// <summary><paramref name="body"/> inside nested try/finally pairs, the first guard outermost.</summary>
        public static List<StatementSyntax> Nested(IReadOnlyList<Guard> guards, List<StatementSyntax> body)
        {
            var statements = body;
            for (int i = guards.Count - 1; i >= 0; i--)
                statements = new List<StatementSyntax> { FixDocument.Statement(guards[i].Acquire + ";"), FixDocument.TryFinally(statements, guards[i].Release) };
            return statements;
        }

        /// <summary><paramref name="body"/> inside stacked <c>using (var name = factory)</c> statements, the first guard outermost.</summary>
        public static StatementSyntax Usings(IReadOnlyList<Guard> guards, IReadOnlyList<string> names, List<StatementSyntax> body)
        {
            StatementSyntax statement = SyntaxFactory.Block(body);
            for (int i = guards.Count - 1; i >= 0; i--)
            {
                var declaration = SyntaxFactory.VariableDeclaration(SyntaxFactory.IdentifierName("var"), SyntaxFactory.SingletonSeparatedList(
                    SyntaxFactory.VariableDeclarator(names[i]).WithInitializer(SyntaxFactory.EqualsValueClause(SyntaxFactory.ParseExpression(guards[i].Acquire)))));
                statement = SyntaxFactory.UsingStatement(declaration, null, statement);
            }
            return statement.WithAdditionalAnnotations(Formatter.Annotation);
        }

        /// <summary>
        /// The statement's parent with <paramref name="count"/> statements from it replaced by <paramref name="wrap"/>'s result,
        /// keeping the first one's leading trivia in front and the last one's line ending after it; an embedded statement gets a block.
        /// </summary>
        public static SyntaxNode? Replace(StatementSyntax statement, int count, System.Func<List<StatementSyntax>, List<StatementSyntax>> wrap)
        {
            var parent = statement.Parent;
            if (parent == null) return null;
            if (FixDocument.ListOf(statement) is { } list)
            {
                int start = list.IndexOf(statement);
                var body = list.Skip(start).Take(count).ToList();
                var leading = body[0].GetLeadingTrivia();
                var lastStatement = body[body.Count - 1];
                body[0] = body[0].WithoutLeadingTrivia();
                var replacement = wrap(body);
                replacement[0] = replacement[0].WithLeadingTrivia(leading);
                int last = replacement.Count - 1;
                // A statement still last keeps its trivia: the look-up-again edit only puts a statement before it.
                if (replacement[last] != body[body.Count - 1]) replacement[last] = FixDocument.EndingLineOf(replacement[last], lastStatement);
                return FixDocument.WithStatements(parent, list.Take(start).Concat(replacement).Concat(list.Skip(start + count)));
            }
            var block = FixDocument.EndingLineOf(SyntaxFactory.Block(wrap(new List<StatementSyntax> { statement.WithoutLeadingTrivia() })), statement)
                .WithLeadingTrivia(statement.GetLeadingTrivia())
                .WithAdditionalAnnotations(Formatter.Annotation);
            return parent.ReplaceNode(statement, block);
        }
    }
}
