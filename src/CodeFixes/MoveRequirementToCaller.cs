using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using MmLock.Analyzers.Contexts;
using MmLock.Analyzers.Contracts;
using MmLock.Analyzers.Flow;

namespace MmLock.CodeFixes
{
    /// <summary>
    /// Makes a requirement the caller's: the attribute that states it — <c>[Requires]</c>/<c>[RequiresShared]</c>/<c>[RequiresAny]</c>
    /// naming the context as the caller names it, or the callee's role attribute — added to the containing member.
    /// </summary>
    internal static class MoveRequirementToCaller
    {
        /// <summary>The member, accessor or local function whose body contains the call; null inside a lambda.</summary>
        public static SyntaxNode? DeclarationOf(SyntaxNode node)
        {
            foreach (var ancestor in node.Ancestors())
            {
                switch (ancestor)
                {
                    case AnonymousFunctionExpressionSyntax:
                        return null;
                    case BaseMethodDeclarationSyntax:
                    case AccessorDeclarationSyntax:
                    case LocalFunctionStatementSyntax:
                        return ancestor;
                    case MemberDeclarationSyntax:
                        return null;
                }
            }
            return null;
        }

        /// <summary>The attribute text for the reported clauses (one requirement, or the callee's role), or null.</summary>
        public static string? AttributeFor(FixDocument fix, ReportedCall call, IMethodSymbol caller, int position)
        {
            var clause = call.Reported[0];
            switch (clause.Clause.Kind)
            {
                case ClauseKind.Requires:
                    if (call.Reported.Length != 1 || clause.Alternatives.Length != 1) return null;
                    var (instance, mode) = clause.Alternatives[0];
                    var text = CallerExpression(fix, instance, caller);
                    if (text == null) return null;
                    var name = mode == Mode.Shared ? "RequiresShared" : "Requires";
                    return fix.AttributeName(name, position) + "(" + Literal(text) + ")";
                case ClauseKind.RequiresAny:
                case ClauseKind.LiveRoot:
                    if (call.Reported.Length != 1) return null;
                    var alternatives = new List<string>();
                    foreach (var (alternative, alternativeMode) in clause.Alternatives)
                    {
                        var expression = CallerExpression(fix, alternative, caller);
                        if (expression == null) continue;
                        var prefix = alternativeMode == Mode.Shared ? "shared " : alternativeMode == Mode.Exclusive ? "exclusive " : "";
                        alternatives.Add(Literal(prefix + expression));
                    }
                    if (alternatives.Count == 0) return null;
                    var anyName = clause.Clause.Kind == ClauseKind.LiveRoot ? "ReplacesLiveRoot" : "RequiresAny";
                    return fix.AttributeName(anyName, position) + "(" + string.Join(", ", alternatives.Distinct()) + ")";
                default:
                    return RoleAttribute(fix, clause.Clause, (IMethodSymbol)call.Call.Site.Member, position);
            }
        }

        /// <summary>
        /// What a caller of <paramref name="caller"/> must then hold, for a title: <c>'l'</c> for one context, <c>one of 'a', 'b'</c>
        /// for alternatives, <c>its guards</c> for a role (the role's guards are the freeings', not named by the attribute).
        /// </summary>
        public static string NeedOf(FixDocument fix, ReportedCall call, IMethodSymbol caller)
        {
            var clause = call.Reported[0];
            if (clause.Clause.Kind is not (ClauseKind.Requires or ClauseKind.RequiresAny or ClauseKind.LiveRoot)) return "its guards";
            var names = clause.Alternatives.Select(a => CallerExpression(fix, a.Context, caller)).Where(n => n != null).Distinct().Select(n => "'" + n + "'").ToList();
            return names.Count == 1 ? names[0] : "one of " + string.Join(", ", names);
        }

        /// <summary>The callee's role attribute for the clause's space (and freeing), written again for the caller.</summary>
        private static string? RoleAttribute(FixDocument fix, Clause clause, IMethodSymbol callee, int position)
        {
            var role = clause.Kind switch
            {
                ClauseKind.Walker or ClauseKind.Lookup => "PageTableWalker",
                ClauseKind.Freer => "TableFreer",
                ClauseKind.LeafModifier => "LeafModifier",
                _ => null,
            };
            if (role == null || clause.Space == null) return null;
            var info = fix.Contracts.ContractAttributesOf(ContractModel.Normalize(callee)).FirstOrDefault(a =>
                a.Name == role && a.StringArgument(0) == clause.Space && (clause.Kind != ClauseKind.Freer || a.StringArgument(1) == clause.Freeing));
            if (info == null) return null;
            var arguments = new List<string>();
            foreach (var argument in info.Arguments)
            {
                if (argument is string[] array) arguments.AddRange(array.Select(Literal));
                else if (Value(argument) is { } value) arguments.Add(value);
                else return null;
            }
            if (info.When is { } when) arguments.Add("When = " + Literal(when));
            return fix.AttributeName(role, position) + "(" + string.Join(", ", arguments) + ")";
        }

        private static string? Value(object? value) => value switch
        {
            string s => Literal(s),
            bool b => b ? "true" : "false",
            int i => i.ToString(System.Globalization.CultureInfo.InvariantCulture),
            _ => null,
        };

        public static string Literal(string text) => SyntaxFactory.Literal(text).ToString();

        /// <summary>The context as the caller's own contract would name it (a parameter path, a member of this, a static path, "any T").</summary>
        public static string? CallerExpression(FixDocument fix, ContextInstance instance, IMethodSymbol caller) => fix.Contracts.NameInContract(instance, caller);

        /// <summary>The member with the attribute added to <paramref name="declaration"/> (the member itself or a local function in it).</summary>
        public static SyntaxNode? Edit(SyntaxNode member, SyntaxNode declaration, string attribute)
        {
            var list = SyntaxFactory.AttributeList(SyntaxFactory.SingletonSeparatedList(ParseAttribute(attribute)));
            var updated = WithAttribute(declaration, list);
            if (updated == null) return null;
            return declaration == member ? updated : member.ReplaceNode(declaration, updated);
        }

        private static AttributeSyntax ParseAttribute(string text)
        {
            int open = text.IndexOf('(');
            return open < 0
                ? SyntaxFactory.Attribute(SyntaxFactory.ParseName(text))
                : SyntaxFactory.Attribute(SyntaxFactory.ParseName(text.Substring(0, open)), SyntaxFactory.ParseAttributeArgumentList(text.Substring(open)));
        }

        /// <summary>Adds the list on a line of its own before the declaration (or after its existing attribute lists).</summary>
        private static SyntaxNode? WithAttribute(SyntaxNode declaration, AttributeListSyntax list)
        {
            var lists = declaration switch
            {
                MemberDeclarationSyntax member => member.AttributeLists,
                AccessorDeclarationSyntax accessor => accessor.AttributeLists,
                LocalFunctionStatementSyntax function => function.AttributeLists,
                _ => default(SyntaxList<AttributeListSyntax>?),
            };
            if (lists == null) return null;
            SyntaxList<AttributeListSyntax> updated;
            SyntaxNode target = declaration;
            if (lists.Value.Count == 0)
            {
                var leading = declaration.GetLeadingTrivia();
                var indentation = leading.Reverse().TakeWhile(t => t.IsKind(SyntaxKind.WhitespaceTrivia)).Reverse();
                bool ownLine = leading.Any(t => t.IsKind(SyntaxKind.EndOfLineTrivia)) || declaration.GetFirstToken().GetPreviousToken().TrailingTrivia.Any(t => t.IsKind(SyntaxKind.EndOfLineTrivia));
                list = list.WithLeadingTrivia(leading)
                    .WithTrailingTrivia(ownLine ? SyntaxFactory.TriviaList(SyntaxFactory.EndOfLine("\n")).AddRange(indentation) : SyntaxFactory.TriviaList(SyntaxFactory.Space));
                target = declaration.WithoutLeadingTrivia();
                updated = SyntaxFactory.SingletonList(list);
            }
            else
            {
                var last = lists.Value[lists.Value.Count - 1];
                updated = lists.Value.Replace(last, last.WithTrailingTrivia(SyntaxFactory.Space)).Add(list.WithTrailingTrivia(last.GetTrailingTrivia()));
            }
            return target switch
            {
                MemberDeclarationSyntax member => member.WithAttributeLists(updated),
                AccessorDeclarationSyntax accessor => accessor.WithAttributeLists(updated),
                LocalFunctionStatementSyntax function => function.WithAttributeLists(updated),
                _ => null,
            };
        }
    }
}
