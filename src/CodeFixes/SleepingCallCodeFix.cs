using System.Collections.Generic;
using System.Collections.Immutable;
using System.Composition;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Formatting;
using MmLock.Analyzers.Flow;
using MmLock.Analyzers.Rules;

namespace MmLock.CodeFixes
{
    /// <summary>
    /// MM3001: a sleeping call inside an atomic section. Moves the call's statement after the section's release, or before its
    /// acquire, when the data flow allows: the call's inputs are not computed or changed in what it moves over, what it moves
    /// over does not use its result or name what it was given, and nothing jumps out of the moved-over statements. The section
    /// is an acquire and a later release in one block, an acquire followed by <c>try { .. } finally { release; }</c>, a scoped
    /// guard's <c>using</c> block, or a scoped guard's <c>using</c> declaration (released at the end of its block: only the
    /// move before it).
    /// </summary>
    [ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(SleepingCallCodeFix)), Shared]
    public sealed class SleepingCallCodeFix : CodeFixProvider
    {
        public const string AfterKey = "MM3001.MoveAfterRelease";
        public const string BeforeKey = "MM3001.MoveBeforeAcquire";

        public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create("MM3001");

        public override FixAllProvider GetFixAllProvider() => MemberFixAll.Instance;

        public override Task RegisterCodeFixesAsync(CodeFixContext context) => RegisterAsync(context);

        /// <summary>The atomic section around the sleeping statement: its acquire and release statements in the acquire's block.</summary>
        private sealed class Section
        {
            public Section(SyntaxList<StatementSyntax> list, int acquire, int release, TryStatementSyntax? tryStatement, UsingStatementSyntax? usingStatement = null,
                bool endOfBlock = false)
            {
                EndOfBlock = endOfBlock;
                List = list;
                Acquire = acquire;
                Release = release;
                Try = tryStatement;
                Using = usingStatement;
            }

            public SyntaxList<StatementSyntax> List { get; }
            public int Acquire { get; }
            /// <summary>The release statement's index in <see cref="List"/>, or the try statement's when the release is in its finally.</summary>
            public int Release { get; }
            public TryStatementSyntax? Try { get; }
            /// <summary>A <c>using</c> block of a scoped guard: it is the acquire and the release (both indexes are its own).</summary>
            public UsingStatementSyntax? Using { get; }
            /// <summary>A <c>using</c> declaration's guard: released where its block ends, so nothing can move after the release.</summary>
            public bool EndOfBlock { get; }

            /// <summary>The statements inside the section's block (try or using), or null for a plain section.</summary>
            public SyntaxList<StatementSyntax>? Inner => Try?.Block.Statements ?? (Using?.Statement as BlockSyntax)?.Statements;
        }

        private async Task RegisterAsync(CodeFixContext context)
        {
            var diagnostic = context.Diagnostics.FirstOrDefault(d => d.Id == "MM3001");
            if (diagnostic == null || !diagnostic.Location.IsInSource || diagnostic.AdditionalLocations.Count == 0) return;
            if (!diagnostic.Properties.TryGetValue(DiagnosticProperties.Context, out var key) || key == null) return;
            var fix = await FixDocument.LoadAsync(context.Document, context.CancellationToken).ConfigureAwait(false);
            if (fix == null || diagnostic.AdditionalLocations[0].SourceTree != fix.Root.SyntaxTree) return;
            var cancellation = context.CancellationToken;
            var sleeper = fix.InvocationAt(diagnostic.Location.SourceSpan, cancellation);
            // The acquire: a call, or a scoped guard's constructor (new spin_guard(l)).
            var acquire = FixDocument.CallSyntaxAt(fix.Root, diagnostic.AdditionalLocations[0].SourceSpan, creations: true);
            if (sleeper == null || acquire == null) return;
            // The acquire is a statement, or a scoped guard's factory or constructor in the header of a 'using' block or declaration.
            StatementSyntax? acquireStatement = (StatementSyntax?)(acquire.Parent as ExpressionStatementSyntax) ?? GuardUsing(acquire)
                ?? (StatementSyntax?)GuardDeclaration(acquire);
            if (acquireStatement == null) return;
            var moved = SleepingStatement(sleeper.Syntax);
            if (moved == null || FlowProbe.Run(fix, sleeper.Syntax, cancellation) is not { } probe) return;
            if (probe.CallAt(sleeper.Syntax) is not var (sleeping, _, _) || sleeping.Site.Member is IMethodSymbol { Parameters: var parameters } &&
                parameters.Any(p => p.RefKind is RefKind.Ref or RefKind.Out)) return;
            var section = acquireStatement switch
            {
                UsingStatementSyntax usingStatement => UsingSectionOf(usingStatement, moved),
                LocalDeclarationStatementSyntax declaration => DeclarationSectionOf(declaration, moved),
                _ => SectionOf(probe, (ExpressionStatementSyntax)acquireStatement, moved, key),
            };
            if (section == null) return;

            var inputs = Names(fix, (InvocationExpressionSyntax)sleeper.Syntax, cancellation);
            var results = FixDocument.DeclaredNames(new[] { moved });

            // After the release: the statements after it in the section, and the release, run before it.
            var after = Between(section, moved, before: false);
            if (after != null && Movable(fix, after, inputs, results, cancellation))
            {
                var edited = await FixCheck.EditAsync(fix, probe, m => Move(m, section, moved, toEnd: true), diagnostic, cancellation).ConfigureAwait(false);
                var release = section.Using != null ? "the 'using' block" : section.Try == null ? $"'{section.List[section.Release].ToString().Trim()}'" : "'finally'";
                if (edited != null)
                    context.RegisterCodeFix(CodeAction.Create($"Move '{moved.ToString().Trim()}' after {release}", _ => Task.FromResult(edited), AfterKey), diagnostic);
            }

            // Before the acquire: the acquire and what precedes the call in the section run after it.
            var before = Between(section, moved, before: true);
            if (before != null && Movable(fix, before, inputs, results, cancellation) && !Computes(fix, before, inputs, cancellation))
            {
                var edited = await FixCheck.EditAsync(fix, probe, m => Move(m, section, moved, toEnd: false), diagnostic, cancellation).ConfigureAwait(false);
                var acquired = section.Using != null ? "the 'using' block" : $"'{acquireStatement.ToString().Trim()}'";
                if (edited != null)
                    context.RegisterCodeFix(CodeAction.Create($"Move '{moved.ToString().Trim()}' before {acquired}", _ => Task.FromResult(edited), BeforeKey),
                        diagnostic);
            }
        }

        /// <summary>The statement that is the sleeping call: <c>call(..);</c> or <c>var x = call(..);</c>.</summary>
        private static StatementSyntax? SleepingStatement(SyntaxNode call) => call.Parent switch
        {
            ExpressionStatementSyntax statement => statement,
            EqualsValueClauseSyntax { Parent: VariableDeclaratorSyntax { Parent: VariableDeclarationSyntax { Variables.Count: 1, Parent: LocalDeclarationStatementSyntax local } } }
                when local.UsingKeyword.RawKind == 0 && local.Modifiers.Count == 0 => local,
            _ => null,
        };

        /// <summary>The section: the acquire, then the sleeping statement in the same block or at the top of a try whose finally releases.</summary>
        private static Section? SectionOf(FlowProbe probe, ExpressionStatementSyntax acquire, StatementSyntax moved, string key)
        {
            if (FixDocument.ListOf(acquire) is not { } list || FixDocument.ListOf(moved) is null) return null;
            int a = list.IndexOf(acquire);
            if (moved.Parent == acquire.Parent)
            {
                int s = list.IndexOf(moved);
                for (int r = s + 1; r < list.Count; r++)
                    if (Releases(probe, list[r], key)) return s > a ? new Section(list, a, r, null) : null;
                return null;
            }
            if (moved.Parent is BlockSyntax { Parent: TryStatementSyntax { Catches.Count: 0, Finally: { } final } tryStatement } && tryStatement.Block == moved.Parent &&
                tryStatement.Parent == acquire.Parent && list.IndexOf(tryStatement) > a && final.Block.Statements.Any(f => Releases(probe, f, key)))
                return new Section(list, a, list.IndexOf(tryStatement), tryStatement);
            return null;
        }

        /// <summary>The <c>using (guard())</c> or <c>using (var g = guard())</c> block whose header is the acquire, or null.</summary>
        private static UsingStatementSyntax? GuardUsing(SyntaxNode acquire) => acquire.Parent switch
        {
            UsingStatementSyntax { Expression: { } expression } statement when expression == acquire => statement,
            EqualsValueClauseSyntax { Parent: VariableDeclaratorSyntax { Parent: VariableDeclarationSyntax { Variables.Count: 1, Parent: UsingStatementSyntax statement } } } => statement,
            _ => null,
        };

        /// <summary>The <c>using var g = guard();</c> declaration whose initializer is the acquire, or null.</summary>
        private static LocalDeclarationStatementSyntax? GuardDeclaration(SyntaxNode acquire) => acquire.Parent switch
        {
            EqualsValueClauseSyntax { Parent: VariableDeclaratorSyntax { Parent: VariableDeclarationSyntax { Variables.Count: 1, Parent: LocalDeclarationStatementSyntax local } } }
                when local.UsingKeyword.RawKind != 0 => local,
            _ => null,
        };

        /// <summary>The section of a guard's <c>using</c> declaration when the sleeping statement is after it in the same block.</summary>
        private static Section? DeclarationSectionOf(LocalDeclarationStatementSyntax declaration, StatementSyntax moved)
        {
            if (moved.Parent != declaration.Parent || FixDocument.ListOf(declaration) is not { } list) return null;
            int a = list.IndexOf(declaration);
            int s = list.IndexOf(moved);
            return s > a ? new Section(list, a, list.Count - 1, null, endOfBlock: true) : null;
        }

        /// <summary>The section of a guard's <c>using</c> block when the sleeping statement is directly in its block.</summary>
        private static Section? UsingSectionOf(UsingStatementSyntax usingStatement, StatementSyntax moved)
        {
            if (usingStatement.Statement is not BlockSyntax block || moved.Parent != block || FixDocument.ListOf(usingStatement) is not { } list) return null;
            int index = list.IndexOf(usingStatement);
            return new Section(list, index, index, null, usingStatement);
        }

        private static bool Releases(FlowProbe probe, StatementSyntax statement, string key) =>
            statement is ExpressionStatementSyntax { Expression: InvocationExpressionSyntax invocation } &&
            probe.CallAt(invocation) is var (call, _, _) && call.Releases.Any(r => r.Context.Key == key);

        /// <summary>The statements the move passes over (null when the shape does not allow the move).</summary>
        private static List<StatementSyntax>? Between(Section section, StatementSyntax moved, bool before)
        {
            var list = section.List;
            if (section.EndOfBlock && !before) return null;
            if (section.Using != null)
            {
                // The header runs before the block and the disposal after it: the move passes over block statements only.
                var statements = section.Inner!.Value;
                int at = statements.IndexOf(moved);
                return before ? statements.Take(at).ToList() : statements.Skip(at + 1).ToList();
            }
            if (section.Try == null)
            {
                int s = list.IndexOf(moved);
                return before ? list.Skip(section.Acquire).Take(s - section.Acquire).ToList() : list.Skip(s + 1).Take(section.Release - s).ToList();
            }
            var inner = section.Try.Block.Statements;
            int k = inner.IndexOf(moved);
            return before
                ? list.Skip(section.Acquire).Take(section.Release - section.Acquire).Concat(inner.Take(k)).ToList()
                : inner.Skip(k + 1).Concat(section.Try.Finally!.Block.Statements).ToList();
        }

        /// <summary>
        /// The call may pass over <paramref name="statements"/>: none jumps out, changes what the call is given, uses what it
        /// declares, or names what it is given (the call may change it).
        /// </summary>
        private static bool Movable(FixDocument fix, List<StatementSyntax> statements, ISet<ISymbol> inputs, ISet<string> results, CancellationToken cancellation)
        {
            foreach (var statement in statements)
                foreach (var node in statement.DescendantNodesAndSelf())
                {
                    if (node is ReturnStatementSyntax or ThrowStatementSyntax or ThrowExpressionSyntax or GotoStatementSyntax or YieldStatementSyntax
                        or AwaitExpressionSyntax or BreakStatementSyntax or ContinueStatementSyntax) return false;
                    if (node is IdentifierNameSyntax name)
                    {
                        if (results.Contains(name.Identifier.ValueText)) return false;
                        if (fix.Model.GetSymbolInfo(name, cancellation).Symbol is { } symbol && inputs.Contains(symbol)) return false;
                    }
                }
            return true;
        }

        /// <summary>Whether the statements declare one of the call's inputs (before the acquire it would not exist yet).</summary>
        private static bool Computes(FixDocument fix, List<StatementSyntax> statements, ISet<ISymbol> inputs, CancellationToken cancellation) =>
            statements.SelectMany(s => s.DescendantNodesAndSelf())
                .Any(n => (n is VariableDeclaratorSyntax || n is SingleVariableDesignationSyntax) && fix.Model.GetDeclaredSymbol(n, cancellation) is { } declared && inputs.Contains(declared));

        /// <summary>The locals and parameters the call names.</summary>
        private static ISet<ISymbol> Names(FixDocument fix, InvocationExpressionSyntax call, CancellationToken cancellation)
        {
            var symbols = new HashSet<ISymbol>(SymbolEqualityComparer.Default);
            foreach (var name in call.DescendantNodesAndSelf().OfType<IdentifierNameSyntax>())
                if (fix.Model.GetSymbolInfo(name, cancellation).Symbol is ILocalSymbol or IParameterSymbol)
                    symbols.Add(fix.Model.GetSymbolInfo(name, cancellation).Symbol!);
            return symbols;
        }

        /// <summary>The member with the sleeping statement taken out of the section and put right after it (or right before the acquire).</summary>
        private static SyntaxNode? Move(SyntaxNode member, Section section, StatementSyntax moved, bool toEnd)
        {
            var parent = section.List[section.Acquire].Parent;
            if (parent == null) return null;
            var statement = moved.WithAdditionalAnnotations(Formatter.Annotation);
            var result = new List<StatementSyntax>();
            for (int i = 0; i < section.List.Count; i++)
            {
                var current = section.List[i];
                if (!toEnd && i == section.Acquire) result.Add(statement);
                if (current == moved) continue;
                if (section.Using != null && current == section.Using)
                {
                    var block = (BlockSyntax)section.Using.Statement;
                    result.Add(section.Using.WithStatement(block.WithStatements(block.Statements.Remove(moved))));
                }
                else if (section.Try != null && current == section.Try)
                {
                    var inner = section.Try.Block.Statements.Remove(moved);
                    result.Add(section.Try.WithBlock(section.Try.Block.WithStatements(inner)));
                }
                else result.Add(current);
                if (toEnd && i == section.Release) result.Add(statement);
            }
            return member.ReplaceNode(parent, FixDocument.WithStatements(parent, result));
        }
    }
}
