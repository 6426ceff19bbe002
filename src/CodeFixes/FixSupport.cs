using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Formatting;
using Microsoft.CodeAnalysis.Operations;
using Microsoft.CodeAnalysis.Text;
using MmLock.Analyzers.Contexts;
using MmLock.Analyzers.Contracts;
using MmLock.Analyzers.Flow;
using MmLock.Analyzers.Rules;

namespace MmLock.CodeFixes
{
    /// <summary>A call a requirement diagnostic reports, as the flow saw it: a method, an accessor (property, indexer) or a constructor.</summary>
    internal sealed class ReportedCall
    {
        public ReportedCall(SyntaxNode syntax, FlowProbe probe, CallEvent call, FlowState state, BodyAnalysis body,
            ImmutableArray<BoundClause> reported, ImmutableArray<BoundClause> missing)
        {
            Syntax = syntax;
            Probe = probe;
            Call = call;
            State = state;
            Body = body;
            Reported = reported;
            Missing = missing;
        }

        /// <summary>The call's syntax: an invocation, a member or element access, an object creation.</summary>
        public SyntaxNode Syntax { get; }
        public FlowProbe Probe { get; }
        public CallEvent Call { get; }
        /// <summary>The state before the call.</summary>
        public FlowState State { get; }
        public BodyAnalysis Body { get; }
        /// <summary>The clauses the diagnostic names.</summary>
        public ImmutableArray<BoundClause> Reported { get; }
        /// <summary>Every clause of a fixable kind that the call misses, in contract order (the reported ones among them).</summary>
        public ImmutableArray<BoundClause> Missing { get; }
    }

    /// <summary>What every fix needs about one document: its tree, its semantic model and the compilation's contracts.</summary>
    internal sealed class FixDocument
    {
        private FixDocument(Document document, SyntaxNode root, SemanticModel model, ContractModel contracts)
        {
            Document = document;
            Root = root;
            Model = model;
            Contracts = contracts;
        }

        public Document Document { get; }
        public SyntaxNode Root { get; }
        public SemanticModel Model { get; }
        public ContractModel Contracts { get; }

        public static async Task<FixDocument?> LoadAsync(Document document, CancellationToken cancellation)
        {
            var root = await document.GetSyntaxRootAsync(cancellation).ConfigureAwait(false);
            var model = await document.GetSemanticModelAsync(cancellation).ConfigureAwait(false);
            if (root == null || model == null) return null;
            var contracts = ModelOf(model.Compilation, document.Project.AnalyzerOptions, cancellation);
            return contracts == null ? null : new FixDocument(document, root, model, contracts);
        }

        private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<Compilation, System.Runtime.CompilerServices.StrongBox<ContractModel?>> Models =
            new System.Runtime.CompilerServices.ConditionalWeakTable<Compilation, System.Runtime.CompilerServices.StrongBox<ContractModel?>>();

        /// <summary>One contract model per compilation, shared by every fix request on it.</summary>
        private static ContractModel? ModelOf(Compilation compilation, Microsoft.CodeAnalysis.Diagnostics.AnalyzerOptions options, CancellationToken cancellation) =>
            Models.GetValue(compilation, c => new System.Runtime.CompilerServices.StrongBox<ContractModel?>(ContractModel.Create(c, options, cancellation))).Value;

        /// <summary>The document's diagnostics of <paramref name="ids"/>, by the analyzer with the project's options (severities, .editorconfig).</summary>
        public static async Task<List<Diagnostic>> DiagnosticsAsync(Document document, ISet<string> ids, CancellationToken cancellation)
        {
            var compilation = await document.Project.GetCompilationAsync(cancellation).ConfigureAwait(false);
            var model = await document.GetSemanticModelAsync(cancellation).ConfigureAwait(false);
            if (compilation == null || model == null) return new List<Diagnostic>();
            var analyzers = compilation.WithAnalyzers(ImmutableArray.Create<DiagnosticAnalyzer>(new MmLock.Analyzers.MmLockAnalyzer()), document.Project.AnalyzerOptions);
            var found = await analyzers.GetAnalyzerSemanticDiagnosticsAsync(model, null, cancellation).ConfigureAwait(false);
            return found.Where(d => ids.Contains(d.Id) && d.Location.IsInSource).OrderBy(d => d.Location.SourceSpan.Start).ToList();
        }

        /// <summary>The flagged call of a requirement diagnostic and the clauses its properties name, or null.</summary>
        public ReportedCall? ReportedCallAt(Diagnostic diagnostic, CancellationToken cancellation)
        {
            var span = diagnostic.Location.SourceSpan;
            if (!Root.FullSpan.Contains(span)) return null;
            var node = Root.FindNode(span, getInnermostNodeForTie: true);
            if (FlowProbe.Run(this, node, cancellation) is not { } probe) return null;
            // The call the flow saw at exactly the reported span (a property read inside an invocation's argument is its own call).
            var syntax = node.AncestorsAndSelf().TakeWhile(n => n.Span.Contains(span)).FirstOrDefault(n => n.Span == span && probe.CallAt(n) != null);
            if (syntax == null || probe.CallAt(syntax) is not var (call, state, body)) return null;
            if (call.Site.Member is not IMethodSymbol) return null;
            var kinds = KindsOf(diagnostic.Id);
            var named = DiagnosticProperties.SplitClauses(diagnostic.Properties.TryGetValue(DiagnosticProperties.Missing, out var text) ? text : null);
            var reported = call.Clauses.Where(c => kinds.Contains(c.Clause.Kind) && named.Any(n => n.SetEquals(c.Alternatives.Select(a => a.Context.Key)))).ToImmutableArray();
            if (reported.IsEmpty) return null;
            var missing = call.Clauses.Where(c => WrappableKinds.Contains(c.Clause.Kind) && Satisfaction.Satisfiers(c, state, body.AssumedDisjunctions) is { Count: 0 })
                .ToImmutableArray();
            return new ReportedCall(syntax, probe, call, state, body, reported, missing);
        }

        /// <summary>Whether <paramref name="key"/> is held in <paramref name="state"/> on some path, in any mode, or by a try-lock whose result is not tested yet.</summary>
        public static bool MayHold(FlowState state, string key) =>
            state.Held.ContainsKey(key) || state.Facts.Values.Any(f => f.Acquired.Any(h => h.Key == key));

        /// <summary>Rule IDs whose clause kinds the requirement fixes handle.</summary>
        public static ClauseKind[] KindsOf(string id) => id switch
        {
            "MM1001" => new[] { ClauseKind.Requires, ClauseKind.RequiresAny },
            "MM2001" => new[] { ClauseKind.Walker },
            "MM2002" => new[] { ClauseKind.Lookup },
            "MM2003" => new[] { ClauseKind.Freer },
            "MM2004" => new[] { ClauseKind.LeafModifier },
            "MM2006" => new[] { ClauseKind.LiveRoot },
            _ => Array.Empty<ClauseKind>(),
        };

        private static readonly ClauseKind[] WrappableKinds =
            { ClauseKind.Requires, ClauseKind.RequiresAny, ClauseKind.Walker, ClauseKind.Lookup, ClauseKind.Freer, ClauseKind.LeafModifier, ClauseKind.LiveRoot };

        /// <summary>The invocation whose syntax is exactly <paramref name="span"/> (where the rules report calls).</summary>
        public IInvocationOperation? InvocationAt(TextSpan span, CancellationToken cancellation) =>
            CallSyntaxAt(Root, span, creations: false) is { } syntax ? Model.GetOperation(syntax, cancellation) as IInvocationOperation : null;

        /// <summary>
        /// The innermost invocation (with <paramref name="creations"/>, or object creation) whose syntax is exactly
        /// <paramref name="span"/>, or null.
        /// </summary>
        public static ExpressionSyntax? CallSyntaxAt(SyntaxNode root, TextSpan span, bool creations) =>
            !root.FullSpan.Contains(span) ? null : root.FindNode(span, getInnermostNodeForTie: true).AncestorsAndSelf().OfType<ExpressionSyntax>()
                .FirstOrDefault(e => e.Span == span && (e is InvocationExpressionSyntax || creations && e is BaseObjectCreationExpressionSyntax));

        public static CallSite SiteOf(IInvocationOperation invocation) =>
            new CallSite(invocation, invocation.TargetMethod, invocation.Instance, invocation.Arguments, invocation.TargetMethod.Parameters.Length);

        public MemberContract ContractOf(ISymbol symbol) => Contracts.ContractOf(symbol);

        /// <summary>
        /// The C# text that names <paramref name="template"/>'s context at <paramref name="site"/>, written with the call's
        /// own argument or receiver expressions (valid wherever the call is); null when that is not a plain path.
        /// </summary>
        public string? ExpressionAt(ContextTemplate template, CallSite site, int position)
        {
            var suffix = string.Join(".", template.Path.Select(m => m.Name));
            string? root;
            switch (template.Root)
            {
                case RootKind.Parameter:
                    var argument = site.Argument(template.ParameterOrdinal);
                    root = argument == null ? null : PathText(argument.Syntax);
                    break;
                case RootKind.This:
                    if (site.Receiver == null) return null;
                    root = site.Receiver.IsImplicit ? "" : PathText(site.Receiver.Syntax);
                    break;
                case RootKind.Captured:
                    // The captured parameter, by its name: every call of the local function is in its scope.
                    root = template.RootName;
                    break;
                case RootKind.Static:
                    if (template.StaticMember?.ContainingType is not { } type) return null;
                    root = type.ToMinimalDisplayString(Model, position) + "." + template.StaticMember.Name;
                    break;
                default:
                    return null;
            }
            if (root == null) return null;
            if (root.Length == 0) return suffix.Length == 0 ? "this" : suffix;
            return suffix.Length == 0 ? root : root + "." + suffix;
        }

        /// <summary>The text of an expression made only of identifiers, <c>this</c> and member accesses; else null.</summary>
        public static string? PathText(SyntaxNode syntax)
        {
            switch (syntax)
            {
                case IdentifierNameSyntax:
                case ThisExpressionSyntax:
                    return syntax.ToString();
                case ParenthesizedExpressionSyntax parenthesized:
                    return PathText(parenthesized.Expression);
                case MemberAccessExpressionSyntax { RawKind: (int)SyntaxKind.SimpleMemberAccessExpression } access when access.Name is IdentifierNameSyntax:
                    var left = PathText(access.Expression);
                    return left == null ? null : left + "." + access.Name.Identifier.Text;
                case ArgumentSyntax argument:
                    return PathText(argument.Expression);
                default:
                    return null;
            }
        }

        /// <summary>How an MmLock attribute is written at <paramref name="position"/>: short when <c>using MmLock;</c> makes it visible.</summary>
        public string AttributeName(string name, int position)
        {
            var full = Model.LookupNamespacesAndTypes(position, name: name + "Attribute");
            var clash = Model.LookupNamespacesAndTypes(position, name: name);
            if (full.Length == 1 && full[0].ContainingNamespace is { Name: "MmLock", ContainingNamespace.IsGlobalNamespace: true } && clash.IsEmpty)
                return name;
            var mmlock = Model.LookupNamespacesAndTypes(position, name: "MmLock");
            bool plain = mmlock.Length == 1 && mmlock[0] is INamespaceSymbol { ContainingNamespace.IsGlobalNamespace: true };
            return (plain ? "MmLock." : "global::MmLock.") + name;
        }

        // ---- guards: acquire/release members found by their contracts ----------------------------------

        /// <summary>Static, accessible, ordinary methods of the compilation and of the annotated assemblies it references.</summary>
        public IEnumerable<IMethodSymbol> StaticMethods(int position) => ContextChangers().Where(m => Model.IsAccessible(position, m));

        private List<IMethodSymbol>? _changers;

        /// <summary>Static ordinary methods whose contract acquires or releases something (computed once per document).</summary>
        private List<IMethodSymbol> ContextChangers()
        {
            if (_changers != null) return _changers;
            var result = new List<IMethodSymbol>();
            foreach (var assembly in Contracts.AnnotatedAssemblies())
                foreach (var type in Types(assembly.GlobalNamespace))
                    foreach (var method in type.GetMembers().OfType<IMethodSymbol>())
                        if (method.IsStatic && method.MethodKind == MethodKind.Ordinary && !method.IsGenericMethod && Contracts.ContractOf(method).ChangesContexts)
                            result.Add(method);
            return _changers = result;
        }

        /// <summary>
        /// Accessible static methods returning a [ScopedGuard] struct and accessible constructors of such structs. (A class guard's
        /// <c>using</c> disposes it behind a null check, which the analysis sees as a path that keeps the context: MM1005.)
        /// </summary>
        public IEnumerable<IMethodSymbol> GuardFactories(int position)
        {
            foreach (var assembly in Contracts.AnnotatedAssemblies())
                foreach (var type in Types(assembly.GlobalNamespace))
                    foreach (var method in type.GetMembers().OfType<IMethodSymbol>())
                    {
                        bool factory = method.IsStatic && method.MethodKind == MethodKind.Ordinary && !method.IsGenericMethod
                                       && method.ReturnType.IsValueType && Contracts.IsScopedGuard(method.ReturnType);
                        bool constructor = method.MethodKind == MethodKind.Constructor && type.IsValueType && !type.IsGenericType && Contracts.IsScopedGuard(type);
                        if ((factory || constructor) && Model.IsAccessible(position, method)) yield return method;
                    }
        }

        private static IEnumerable<INamedTypeSymbol> Types(INamespaceOrTypeSymbol scope)
        {
            foreach (var member in scope.GetMembers())
            {
                if (member is INamespaceSymbol ns)
                    foreach (var type in Types(ns)) yield return type;
                else if (member is INamedTypeSymbol type)
                {
                    yield return type;
                    foreach (var nested in Types(type)) yield return nested;
                }
            }
        }

        /// <summary>
        /// The call text <c>T.m(args)</c> that makes <paramref name="method"/>'s single contract template name the context
        /// whose expression is <paramref name="context"/> (null for a static context, then <paramref name="staticKey"/> is compared).
        /// </summary>
        public string? CallFor(IMethodSymbol method, ContextTemplate template, string? context, string? staticKey, int position, ISet<string> unavailable)
        {
            var type = method.ContainingType.ToMinimalDisplayString(Model, position);
            string argumentText;
            if (template.Root == RootKind.Static)
            {
                if (staticKey == null || ContextBinder.Extend(template, ContextBinder.StaticKey(template.StaticMember!), "").Key != staticKey) return null;
                if (method.Parameters.Any(p => !p.IsOptional)) return null;
                argumentText = "";
            }
            else if (template.Root == RootKind.Parameter && context != null)
            {
                var suffix = string.Join(".", template.Path.Select(m => m.Name));
                string receiver;
                if (suffix.Length == 0) receiver = context;
                else if (context == suffix) receiver = "this";
                else if (context.EndsWith("." + suffix, StringComparison.Ordinal)) receiver = context.Substring(0, context.Length - suffix.Length - 1);
                else return null;
                if (method.Parameters.Where(p => p.Ordinal != template.ParameterOrdinal).Any(p => !p.IsOptional)) return null;
                if (template.ParameterOrdinal != 0 || method.Parameters[0].RefKind != RefKind.None) return null;
                var expression = SyntaxFactory.ParseExpression(receiver);
                var first = expression.DescendantNodesAndSelf().OfType<IdentifierNameSyntax>().FirstOrDefault();
                if (first != null && unavailable.Contains(first.Identifier.Text)) return null;
                var bound = Model.GetSpeculativeTypeInfo(position, expression, SpeculativeBindingOption.BindAsExpression).Type;
                if (bound == null || bound.TypeKind == TypeKind.Error) return null;
                if (!Model.Compilation.ClassifyConversion(bound, method.Parameters[0].Type).IsImplicit) return null;
                argumentText = receiver;
            }
            else
            {
                return null;
            }
            return method.MethodKind == MethodKind.Constructor
                ? "new " + type + "(" + argumentText + ")"
                : type + "." + method.Name + "(" + argumentText + ")";
        }

        /// <summary>A release call that undoes an acquire of <paramref name="context"/> in <paramref name="mode"/>, or null.</summary>
        public string? ReleaseFor(string? context, string? staticKey, Mode mode, int position, ISet<string> unavailable, IMethodSymbol? preferSibling,
            IMethodSymbol? exclude = null)
        {
            var candidates = StaticMethods(position)
                .Where(m => !SymbolEqualityComparer.Default.Equals(m, exclude))
                .Select(m => (Method: m, Contract: ContractOf(m)))
                .Where(c => c.Contract.Releases.Length == 1 && c.Contract.Acquires.IsEmpty && c.Contract.TryAcquires.IsEmpty && c.Contract.Clauses.IsEmpty
                            && c.Contract.Releases[0].Mode == mode)
                .OrderBy(c => SymbolEqualityComparer.Default.Equals(c.Method.ContainingType, preferSibling?.ContainingType) ? 0 : 1)
                .ThenByDescending(c => c.Contract.Releases[0].Path.Length)
                .ThenBy(c => c.Method.ToDisplayString(), StringComparer.Ordinal);
            foreach (var (method, contract) in candidates)
                if (CallFor(method, contract.Releases[0], context, staticKey, position, unavailable) is { } call) return call;
            return null;
        }

        /// <summary>What <paramref name="text"/>, a statement, would bind to at <paramref name="position"/> (its expression for an expression statement).</summary>
        public IOperation? Speculate(string text, int position)
        {
            var statement = SyntaxFactory.ParseStatement(text);
            if (statement.ContainsDiagnostics || !Model.TryGetSpeculativeSemanticModel(position, statement, out var speculative)) return null;
            var operation = speculative.GetOperation(statement);
            return operation is IExpressionStatementOperation expression ? expression.Operation : operation;
        }

        // ---- statements -----------------------------------------------------------------------------

        /// <summary>The statement that contains <paramref name="node"/> in the same body (not across a lambda or local function).</summary>
        public static StatementSyntax? StatementOf(SyntaxNode node)
        {
            foreach (var ancestor in node.Ancestors())
            {
                if (ancestor is AnonymousFunctionExpressionSyntax || ancestor is LocalFunctionStatementSyntax) return null;
                if (ancestor is StatementSyntax statement) return statement;
                if (ancestor is MemberDeclarationSyntax) return null;
            }
            return null;
        }

        public static StatementSyntax Statement(string text) =>
            SyntaxFactory.ParseStatement(text).WithAdditionalAnnotations(Formatter.Annotation);

        /// <summary>A statement on a line of its own before the statements that follow it (the formatter keeps single-line statement runs).</summary>
        public static StatementSyntax Line(string text) => Statement(text).WithTrailingTrivia(SyntaxFactory.ElasticCarriageReturnLineFeed);

        /// <summary>
        /// <c>try { body } finally { release; }</c>, ending the line as the last body statement did; the release takes the
        /// comments of <paramref name="replaced"/>, the release statement it replaces.
        /// </summary>
        public static TryStatementSyntax TryFinally(IReadOnlyList<StatementSyntax> body, string release, SyntaxNode? replaced = null)
        {
            var statement = SyntaxFactory.TryStatement(
                    SyntaxFactory.Block(body),
                    default,
                    SyntaxFactory.FinallyClause(SyntaxFactory.Block(Release(release, replaced))))
                .WithAdditionalAnnotations(Formatter.Annotation);
            // Only the line ending: a comment after the last statement stays there, inside the try.
            return body.Count > 0 ? EndingLineOf(statement, body[body.Count - 1]) : statement;
        }

        /// <summary>
        /// <paramref name="node"/> ending its line as <paramref name="from"/> did, with only the line ending of its trailing trivia
        /// (a trailing comment stays on the statement it follows, which the node now encloses).
        /// </summary>
        public static T EndingLineOf<T>(T node, SyntaxNode from) where T : SyntaxNode
        {
            var trailing = from.GetTrailingTrivia();
            return trailing.Any(t => t.IsKind(SyntaxKind.EndOfLineTrivia)) ? node.WithTrailingTrivia(trailing.Last(t => t.IsKind(SyntaxKind.EndOfLineTrivia))) : node;
        }

        /// <summary><c>release;</c>, with the comments of <paramref name="replaced"/> (the statement it replaces) when that has any.</summary>
        public static StatementSyntax Release(string release, SyntaxNode? replaced)
        {
            var statement = Statement(release + ";");
            return replaced == null ? statement : statement.WithTriviaFrom(replaced);
        }

        /// <summary>Whether the node's own trivia holds more than whitespace and line endings (a comment, a directive).</summary>
        public static bool HasComments(SyntaxNode node) =>
            node.GetLeadingTrivia().Concat(node.GetTrailingTrivia()).Any(t => !t.IsKind(SyntaxKind.WhitespaceTrivia) && !t.IsKind(SyntaxKind.EndOfLineTrivia));

        /// <summary>
        /// Which of the <paramref name="removed"/> statements, replaced by one, gives that one its comments: null when none has
        /// any; false when several have (their comments would pile up on one line).
        /// </summary>
        public static bool CommentsOf(IEnumerable<SyntaxNode> removed, out SyntaxNode? commented)
        {
            var withComments = removed.Where(HasComments).Take(2).ToList();
            commented = withComments.Count == 1 ? withComments[0] : null;
            return withComments.Count < 2;
        }

        /// <summary>The statement list that holds <paramref name="statement"/> directly (block or switch section).</summary>
        public static SyntaxList<StatementSyntax>? ListOf(StatementSyntax statement) => statement.Parent switch
        {
            BlockSyntax block => block.Statements,
            SwitchSectionSyntax section => section.Statements,
            _ => null,
        };

        public static SyntaxNode WithStatements(SyntaxNode parent, IEnumerable<StatementSyntax> statements) => parent switch
        {
            BlockSyntax block => block.WithStatements(SyntaxFactory.List(statements)),
            SwitchSectionSyntax section => section.WithStatements(SyntaxFactory.List(statements)),
            _ => parent,
        };

        /// <summary>
        /// Whether <paramref name="statement"/> is the last thing its path does before leaving <paramref name="body"/>: followed
        /// in its block by nothing, or by a return or throw that calls nothing with a contract, and its block in the same position
        /// up to the body (through blocks, if/else and switch sections ending in <c>break</c>).
        /// </summary>
        public static bool IsLast(StatementSyntax statement, SyntaxNode body)
        {
            SyntaxNode current = statement;
            while (true)
            {
                if (current.Parent is BlockSyntax or SwitchSectionSyntax && FixDocument.ListOf((StatementSyntax)current) is { } list)
                {
                    var next = list.Skip(list.IndexOf((StatementSyntax)current) + 1).FirstOrDefault();
                    if (next is ReturnStatementSyntax or ThrowStatementSyntax) return !next.DescendantNodes().OfType<InvocationExpressionSyntax>().Any();
                    if (current.Parent is SwitchSectionSyntax) return next is BreakStatementSyntax && current.Parent.Parent is SwitchStatementSyntax switchStatement && IsLast(switchStatement, body);
                    if (next != null) return false;
                    if (current.Parent == body) return true;
                    current = current.Parent;
                    continue;
                }
                switch (current.Parent)
                {
                    case IfStatementSyntax ifStatement when ifStatement.Statement == current:
                        current = ifStatement;
                        continue;
                    case ElseClauseSyntax { Parent: IfStatementSyntax outer }:
                        current = outer;
                        continue;
                    default:
                        return false;
                }
            }
        }

        /// <summary>Names of the locals and local functions declared directly by <paramref name="statements"/>.</summary>
        public static HashSet<string> DeclaredNames(IEnumerable<StatementSyntax> statements)
        {
            var names = new HashSet<string>(StringComparer.Ordinal);
            foreach (var statement in statements)
            {
                foreach (var node in statement.DescendantNodesAndSelf())
                {
                    if (node is VariableDeclaratorSyntax declarator) names.Add(declarator.Identifier.ValueText);
                    else if (node is SingleVariableDesignationSyntax designation) names.Add(designation.Identifier.ValueText);
                    else if (node is LocalFunctionStatementSyntax function) names.Add(function.Identifier.ValueText);
                    else if (node is ForEachStatementSyntax forEach) names.Add(forEach.Identifier.ValueText);
                }
            }
            return names;
        }
    }
}
